using System.Net;
using System.Text;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Auth;

/// <summary>
/// The tenancy walk (issue 15): every route of the OpenAPI document, called by an admin limited to its own queue with
/// the other tenant's ids, queue, plugin, worker and key, neither reveals nor touches the other tenant's data. A route
/// the walk does not know fails the test: a route added later must be taught to the walk, and so meet the rule.
/// </summary>
public abstract class TenancyWalkTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    /// <summary>The other tenant's things; every name carries <see cref="Tag"/>, which no answer may contain.</summary>
    private sealed record Other(string Tag, string Queue, string Plugin, string Worker, string KeyId, long Scheduled, long Dead, long Running, string Workflow, long Run)
    {
        public string Namespace => "ns-" + Tag;
        public string Subscription => "sub-" + Tag;

        /// <summary>The other tenant's schedule (its task target submits to <see cref="Queue"/>).</summary>
        public string Schedule => "sb-" + Tag;

        /// <summary>A service registered by the unlimited admin (services belong to no queue).</summary>
        public string Service => "svc-" + Tag;
    }

    private delegate IEnumerable<(string Suffix, string? Body)> Calls(Other other, string ownQueue);

    private static IEnumerable<(string, string?)> None(Other o, string q) => [("", null)];

    /// <summary>What the walk sends to each route: query suffixes and bodies that name the other tenant's things.</summary>
    private static readonly Dictionary<string, Calls> Routes = new(StringComparer.Ordinal)
    {
        ["GET /api/v1/tasks"] = (o, q) => [("", null), ($"?queue={o.Queue}", null), ("?state=dead", null), ($"?plugin={o.Plugin}", null)],
        ["POST /api/v1/tasks"] = (o, q) =>
        [
            ("", $$"""{"plugin":"text.generate","args":{"filename":"w.txt"},"queue":"{{o.Queue}}","delay":"1h"}"""),
            ("", $$"""{"plugin":"{{o.Plugin}}","args":{} }"""),
            ("", $$"""{"plugin":"{{o.Plugin}}","args":{},"queue":"{{q}}"}"""),
        ],
        ["POST /api/v1/tasks/batch"] = (o, q) =>
        [
            ("", $$"""{"tasks":[{"plugin":"text.generate","args":{"filename":"w.txt"},"queue":"{{o.Queue}}","delay":"1h"}]}"""),
            ("", $$"""{"tasks":[{"plugin":"{{o.Plugin}}","args":{} }]}"""),
        ],
        ["GET /api/v1/tasks/{id}"] = None,
        ["GET /api/v1/tasks/{id}/why"] = None,
        ["POST /api/v1/tasks/{id}/cancel"] = None,
        ["POST /api/v1/tasks/{id}/retry"] = None,
        ["DELETE /api/v1/tasks/{id}"] = None,
        ["GET /api/v1/tasks/{id}/artifacts"] = None,
        ["GET /api/v1/tasks/{id}/artifacts/{name}"] = None,
        ["GET /api/v1/tasks/{id}/logs"] = None,
        ["GET /api/v1/dead-letters"] = (o, q) => [("", null), ($"?queue={o.Queue}", null)],
        ["POST /api/v1/dead-letters/{id}/retry"] = None,
        ["POST /api/v1/dead-letters/retry"] = (o, q) => [("", "{}"), ("", $$"""{"queue":"{{o.Queue}}"}""")],
        ["POST /api/v1/dead-letters/purge"] = (o, q) => [("", "{}"), ("", $$"""{"queue":"{{o.Queue}}"}""")],
        ["GET /api/v1/queues"] = None,
        ["GET /api/v1/queues/{name}"] = None,
        ["POST /api/v1/queues/{name}/pause"] = None,
        ["POST /api/v1/queues/{name}/resume"] = None,
        ["PATCH /api/v1/queues/{name}"] = (o, q) => [("", """{"maxConcurrency":1,"maxBacklog":1}""")],
        ["GET /api/v1/plugins"] = None,
        ["GET /api/v1/plugins/{name}"] = None,
        ["POST /api/v1/keys"] = (o, q) =>
        [
            ("", """{"name":"walk-escalate","role":"admin"}"""),
            ("", $$"""{"name":"walk-other","role":"viewer","queues":["{{o.Queue}}"]}"""),
            ("", $$"""{"name":"walk-both","role":"viewer","queues":["{{q}}","{{o.Queue}}"]}"""),
        ],
        ["GET /api/v1/keys"] = None,
        ["DELETE /api/v1/keys/{id}"] = None,
        ["GET /api/v1/whoami"] = None,
        ["GET /api/v1/server"] = None,
        ["GET /api/v1/nodes"] = None,
        ["PUT /api/v1/workers/{workerId}"] = (o, q) =>
        [
            ("", $$"""{"plugins":[{"name":"{{o.Plugin}}","queue":"{{q}}"}]}"""),
            ("", $$"""{"plugins":[{"name":"walk.mine","queue":"{{q}}"}]}"""),
        ],
        ["DELETE /api/v1/workers/{workerId}"] = None,
        ["POST /api/v1/workers/{workerId}/lease"] = (o, q) => [("", """{"max":10}""")],
        ["POST /api/v1/workers/{workerId}/heartbeat"] = (o, q) => [("", $$"""{"leases":[{"id":{{o.Running}},"leaseToken":"{{Guid.NewGuid()}}"}]}""")],
        ["POST /api/v1/workers/{workerId}/complete"] = (o, q) =>
            [("", $$"""{"completions":[{"id":{{o.Running}},"leaseToken":"{{Guid.NewGuid()}}","outcome":"succeeded","result":1}]}""")],
        // Files belong to no queue: a limited caller is refused them all, the other tenant's output file included.
        ["GET /api/v1/artifacts"] = (o, q) => [("", null), ($"?prefix={o.Tag}", null)],
        ["GET /api/v1/artifacts/{path}"] = None,
        // A workflow's steps may run in any queue: a limited caller is refused every workflow route.
        ["GET /api/v1/workflows/schema"] = None,
        ["GET /api/v1/workflows"] = None,
        ["POST /api/v1/workflows"] = (o, q) =>
            [("", $$"""{"name":"walk-{{o.Tag}}","steps":[{"id":"a","plugin":"{{o.Plugin}}"}]}"""), ("", $$"""{"name":"walk-{{o.Tag}}","steps":[{"id":"a","kind":"noop"}]}""")],
        ["GET /api/v1/workflows/{name}"] = None,
        ["GET /api/v1/workflows/{name}/versions"] = None,
        ["POST /api/v1/workflows/{name}/runs"] = (o, q) => [("", "{}"), ("", $$"""{"input":{"queue":"{{o.Queue}}"} }""")],
        ["GET /api/v1/runs"] = (o, q) => [("", null), ($"?workflow={o.Tag}", null)],
        ["GET /api/v1/runs/{id}"] = None,
        ["GET /api/v1/runs/{id}/steps/{step}/items"] = None,
        ["GET /api/v1/runs/{id}/artifacts"] = None,
        ["GET /api/v1/runs/{id}/artifacts/{name}"] = None,
        ["GET /api/v1/runs/{id}/steps/{step}/logs"] = None,
        ["POST /api/v1/runs/{id}/cancel"] = None,
        ["POST /api/v1/runs/{id}/retry"] = None,
        ["POST /api/v1/runs/{id}/pause"] = None,
        ["POST /api/v1/runs/{id}/resume"] = None,
        ["POST /api/v1/runs/{id}/signal"] = (o, q) => [("", """{"signal":"go"}""")],
        // State and documents live in namespaces (an app is one): the walker reaches none, the other tenant's included.
        ["GET /api/v1/namespaces/{ns}/state"] = (o, q) => [("", null), ($"?prefix={o.Tag}", null)],
        ["GET /api/v1/namespaces/{ns}/state/{key}"] = None,
        ["PUT /api/v1/namespaces/{ns}/state/{key}"] = (o, q) => [("", """{"value":{"overwritten":true}}""")],
        ["DELETE /api/v1/namespaces/{ns}/state/{key}"] = None,
        ["GET /api/v1/namespaces/{ns}/state-history/{key}"] = None,
        ["GET /api/v1/namespaces/{ns}/state-export"] = None,
        ["GET /api/v1/namespaces/{ns}/state-watch"] = (o, q) => [("?timeout=0s", null), ($"?key={o.Tag}&timeout=0s", null), ("?prefix=&after=0-0&timeout=0s", null)],
        // A live token carries the caller's own limits, never more: minting one reveals nothing of anyone else.
        ["POST /api/v1/live/tokens"] = None,
        ["POST /api/v1/namespaces/{ns}/state-import"] = (o, q) => [("", $$"""{"namespace":"{{o.Namespace}}","keys":[{"key":"{{o.Tag}}","value":2}]}""")],
        ["POST /api/v1/apps/{app}/models/{model}/documents"] = (o, q) => [("", $$$"""{"id":"{{{o.Tag}}}","document":{"x":1}}""")],
        ["GET /api/v1/apps/{app}/models/{model}/documents"] = (o, q) => [("", null), ("?filter=%7B%7D", null)],
        ["GET /api/v1/apps/{app}/models/{model}/documents/{id}"] = None,
        ["PUT /api/v1/apps/{app}/models/{model}/documents/{id}"] = (o, q) => [("", """{"document":{"overwritten":true}}""")],
        ["PATCH /api/v1/apps/{app}/models/{model}/documents/{id}"] = (o, q) => [("", """[{"op":"add","path":"/overwritten","value":true}]""")],
        ["DELETE /api/v1/apps/{app}/models/{model}/documents/{id}"] = None,
        ["GET /api/v1/apps/{app}/models/{model}/schema"] = None,
        ["PUT /api/v1/apps/{app}/models/{model}/schema"] = (o, q) => [("", """{"type":"object"}""")],
        ["DELETE /api/v1/apps/{app}/models/{model}/schema"] = None,
        // Events: the walker is limited to queues and so to no namespace (deny by default); the other tenant's namespace
        // (named by its tag) answers 404 on every route, and no namespace can be made or listed.
        ["GET /api/v1/namespaces"] = None,
        ["POST /api/v1/namespaces"] = (o, q) => [("", $$"""{"name":"{{o.Namespace}}"}"""), ("", """{"name":"walker-own"}""")],
        ["GET /api/v1/namespaces/{ns}"] = None,
        ["GET /api/v1/namespaces/{ns}/dead-letters"] = None,
        ["POST /api/v1/namespaces/{ns}/events"] = (o, q) => [("", """{"topic":"walk.in","payload":{"x":1}}""")],
        ["GET /api/v1/namespaces/{ns}/events"] = (o, q) => [("", null), ("?pattern=>", null)],
        ["POST /api/v1/namespaces/{ns}/topics/{topic}"] = (o, q) => [("", """{"x":1}""")],
        ["GET /api/v1/namespaces/{ns}/subscriptions"] = None,
        ["POST /api/v1/namespaces/{ns}/subscriptions"] = (o, q) =>
            [("", $$"""{"name":"walk-sub","pattern":">","action":"plugin","target":"text.generate","queue":"{{q}}"}"""), ("", """{"name":"walk-c","pattern":">","action":"consumer"}""")],
        ["GET /api/v1/namespaces/{ns}/subscriptions/{name}"] = None,
        ["DELETE /api/v1/namespaces/{ns}/subscriptions/{name}"] = None,
        ["POST /api/v1/namespaces/{ns}/subscriptions/{name}/cursor"] = (o, q) => [("", """{"kind":"all"}""")],
        ["POST /api/v1/namespaces/{ns}/subscriptions/{name}/replay"] = (o, q) => [("", """{"fromPosition":0}""")],
        ["POST /api/v1/namespaces/{ns}/subscriptions/{name}/receive"] = (o, q) => [("", """{"max":10}""")],
        ["POST /api/v1/namespaces/{ns}/subscriptions/{name}/ack"] = (o, q) => [("", $$"""{"deliveries":[{"id":{{o.Running}},"leaseToken":"{{Guid.NewGuid()}}"}]}""")],
        ["POST /api/v1/namespaces/{ns}/subscriptions/{name}/nack"] = (o, q) => [("", $$"""{"id":{{o.Running}},"leaseToken":"{{Guid.NewGuid()}}"}""")],
        ["POST /api/v1/namespaces/{ns}/subscriptions/{name}/extend"] = (o, q) => [("", $$"""{"deliveries":[{"id":{{o.Running}},"leaseToken":"{{Guid.NewGuid()}}"}]}""")],
        ["GET /api/v1/schedules"] = (o, q) => [("", null), ($"?after=sb", null)],
        ["GET /api/v1/schedules/{name}"] = None,
        ["PUT /api/v1/schedules/{name}"] = (o, q) =>
        [
            ("", $$"""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"w.txt"},"queue":"{{q}}"} } }"""),
            ("", $$"""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"w.txt"},"queue":"{{o.Queue}}"} } }"""),
            ("", $$"""{"cron":"* * * * *","target":{"task":{"plugin":"{{o.Plugin}}","args":{} } } }"""),
        ],
        ["DELETE /api/v1/schedules/{name}"] = None,
        ["POST /api/v1/schedules/{name}/pause"] = (o, q) => [("", """{"reason":"walk"}""")],
        ["POST /api/v1/schedules/{name}/resume"] = None,
        ["GET /api/v1/schedules/{name}/next"] = None,
        ["GET /api/v1/schedules/{name}/history"] = None,
        // Services belong to no queue: a limited caller is refused them all.
        ["GET /api/v1/services"] = (o, q) => [("", null), ($"?service=svc-{o.Tag}", null)],
        ["GET /api/v1/services/{name}"] = None,
        ["PUT /api/v1/services/{name}/instances/{id}"] = (o, q) => [("", """{"baseUrl":"http://127.0.0.1:9/"}""")],
        ["POST /api/v1/services/{name}/instances/{id}/heartbeat"] = None,
        ["DELETE /api/v1/services/{name}/instances/{id}"] = None,
        ["GET /api/v1/services/{name}/invoke/{path}"] = None,
        ["POST /api/v1/services/{name}/invoke/{path}"] = (o, q) => [("", "{}")],
        ["PUT /api/v1/services/{name}/invoke/{path}"] = (o, q) => [("", "{}")],
        ["DELETE /api/v1/services/{name}/invoke/{path}"] = None,
        ["GET /healthz"] = None,
        ["GET /readyz"] = None,
    };

    [Fact]
    public async Task EveryRoute_CalledByAQueueLimitedAdmin_NeitherRevealsNorTouchesAnotherQueue()
    {
        using var admin = Host.Admin();
        var other = await OtherTenantAsync(admin);
        var own = "walk-a-" + Guid.NewGuid().ToString("N")[..8];
        var created = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"walker","role":"admin","queues":["{{own}}"]}""")).JsonAsync(HttpStatusCode.Created);
        using var walker = Host.Client(created.GetProperty("key").GetString()!);

        var document = await (await admin.GetAsync("/openapi/v1.json")).JsonAsync();
        var walked = 0;
        var faults = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var route = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                if (!Routes.TryGetValue(route, out var calls))
                {
                    faults.Add($"{route} is not known to the tenancy walk: add it to {nameof(TenancyWalkTests)}.{nameof(Routes)} with calls that name the other tenant's data.");
                    continue;
                }
                walked++;
                foreach (var target in Targets(path.Name, other))
                {
                    foreach (var (suffix, body) in calls(other, own))
                    {
                        var fault = await CallAsync(walker, operation.Name, target + suffix, body, other);
                        if (fault is not null) faults.Add($"{route} as {target + suffix} {body}: {fault}");
                    }
                }
            }
        }

        Assert.True(walked >= Routes.Count - 2, $"Only {walked} routes were walked; is the OpenAPI document complete?");
        faults.AddRange(await UntouchedAsync(admin, other));
        Assert.True(faults.Count == 0, string.Join("\n", faults));
    }

    /// <summary>The paths to call for a route template: each parameter replaced by the other tenant's value(s).</summary>
    private static IEnumerable<string> Targets(string template, Other o)
    {
        if (!template.Contains('{', StringComparison.Ordinal)) return [template];
        if (template.StartsWith("/api/v1/services/", StringComparison.Ordinal))
        {
            return [template.Replace("{name}", o.Service, StringComparison.Ordinal).Replace("{id}", "i-" + o.Tag, StringComparison.Ordinal)
                .Replace("{path}", "echo", StringComparison.Ordinal)];
        }
        if (template.StartsWith("/api/v1/tasks/{id}", StringComparison.Ordinal) || template.StartsWith("/api/v1/dead-letters/{id}", StringComparison.Ordinal))
        {
            return new[] { o.Scheduled, o.Dead, o.Running }.Select(id => template.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{name}", "logs/attempt-1.log", StringComparison.Ordinal));
        }
        if (template.StartsWith("/api/v1/apps/{app}", StringComparison.Ordinal))
        {
            return [template.Replace("{app}", o.Namespace, StringComparison.Ordinal).Replace("{model}", "m", StringComparison.Ordinal).Replace("{id}", o.Tag, StringComparison.Ordinal)];
        }
        if (template.StartsWith("/api/v1/namespaces/{ns}", StringComparison.Ordinal))
        {
            return [template.Replace("{ns}", o.Namespace, StringComparison.Ordinal).Replace("{name}", o.Subscription, StringComparison.Ordinal)
                .Replace("{topic}", "walk.topic", StringComparison.Ordinal).Replace("{key}", o.Tag, StringComparison.Ordinal)];
        }
        var value = template switch
        {
            _ when template.StartsWith("/api/v1/keys/{id}", StringComparison.Ordinal) => ("{id}", o.KeyId),
            _ when template.StartsWith("/api/v1/queues/{name}", StringComparison.Ordinal) => ("{name}", o.Queue),
            _ when template.StartsWith("/api/v1/plugins/{name}", StringComparison.Ordinal) => ("{name}", o.Plugin),
            _ when template.StartsWith("/api/v1/workers/{workerId}", StringComparison.Ordinal) => ("{workerId}", o.Worker),
            _ when template.StartsWith("/api/v1/artifacts/{path}", StringComparison.Ordinal) => ("{path}", o.Tag + ".txt"),
            _ when template.StartsWith("/api/v1/workflows/{name}", StringComparison.Ordinal) => ("{name}", o.Workflow),
            _ when template.StartsWith("/api/v1/runs/{id}", StringComparison.Ordinal) => ("{id}", o.Run.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ when template.StartsWith("/api/v1/schedules/{name}", StringComparison.Ordinal) => ("{name}", o.Schedule),
            _ => throw new InvalidOperationException($"The tenancy walk does not know what to put in {template}: teach {nameof(Targets)}."),
        };
        // A run's artifact or step: the walk's names for them (the run is what is refused).
        return [template.Replace(value.Item1, value.Item2, StringComparison.Ordinal).Replace("/artifacts/{name}", "/artifacts/a/logs/attempt-1.log", StringComparison.Ordinal)];
    }

    /// <summary>One call; a fault when it succeeded while naming the other tenant, or when its answer tells anything
    /// of the other tenant beyond what the request itself said.</summary>
    private static async Task<string?> CallAsync(HttpClient client, string method, string url, string? body, Other other)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // A query only filters what the caller may see (an empty page is a fine answer); a path or a body that names
        // the other tenant's things must be refused.
        var path = url.Split('?')[0];
        if (response.IsSuccessStatusCode && ((path + " " + body).Contains(other.Tag, StringComparison.Ordinal) || NamesOtherTask(path, other)))
        {
            return $"succeeded ({(int)response.StatusCode}) on the other tenant's data: {text}";
        }
        // What the request said may be echoed (e.g. "queue: 'x' is not one of your queues"); nothing more.
        var rest = text.Replace(path, "", StringComparison.Ordinal); // problem+json's "instance" is the request's own path
        foreach (var echoed in new[] { other.Queue, other.Plugin, other.Worker, other.KeyId, other.Namespace, other.Subscription, other.Schedule, other.Service, "i-" + other.Tag }) rest = rest.Replace(echoed, "", StringComparison.Ordinal);
        return rest.Contains(other.Tag, StringComparison.Ordinal) ? $"the answer reveals the other tenant: {text}" : null;
    }

    private static bool NamesOtherTask(string url, Other o) =>
        new[] { o.Scheduled, o.Dead, o.Running }.Any(id => url.Contains($"/{id}", StringComparison.Ordinal) && !url.StartsWith("/api/v1/workers", StringComparison.Ordinal))
        || url.StartsWith($"/api/v1/runs/{o.Run}", StringComparison.Ordinal);

    /// <summary>Another tenant in its own queue: a scheduled task, a dead one, one running under its worker, its
    /// external plugin and worker, its key, and a concurrency limit on its queue.</summary>
    private async Task<Other> OtherTenantAsync(HttpClient admin)
    {
        var tag = "zq" + Guid.NewGuid().ToString("N")[..10];
        var queue = "tb-" + tag;
        var plugin = tag + ".theirs";
        var worker = "wb-" + tag;
        var key = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"key-{{tag}}","role":"worker","queues":["{{queue}}"]}""")).JsonAsync(HttpStatusCode.Created);
        using var theirs = Host.Client(key.GetProperty("key").GetString()!);
        await (await theirs.PutAsync($"/api/v1/workers/{worker}", new StringContent(
            $$"""{"plugins":[{"name":"{{plugin}}","queue":"{{queue}}","description":"secret of {{tag}}"}]}""", Encoding.UTF8, "application/json"))).JsonAsync();
        await (await admin.PatchJsonAsync($"/api/v1/queues/{queue}", """{"maxConcurrency":5}""")).JsonAsync();

        var scheduled = await admin.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"{{tag}}.txt"},"queue":"{{queue}}","delay":"1h","uniqueKey":"u-{{tag}}","tags":["{{tag}}"]}""");
        var dead = await admin.SubmitAsync($$"""{"plugin":"{{plugin}}","args":{"who":"{{tag}}"},"maxAttempts":1}""");
        var first = await (await theirs.PostJsonAsync($"/api/v1/workers/{worker}/lease", """{"max":1}""")).JsonAsync();
        var leased = first.GetProperty("tasks")[0];
        await (await theirs.PostJsonAsync($"/api/v1/workers/{worker}/complete", $$"""
            {"completions":[{"id":{{dead}},"leaseToken":"{{leased.GetProperty("leaseToken").GetString()}}","outcome":"failed","retryable":false,"error":{"message":"no {{tag}}"} }]}
            """)).JsonAsync();
        var running = await admin.SubmitAsync($$"""{"plugin":"{{plugin}}","args":{"who":"{{tag}}"} }""");
        var second = await (await theirs.PostJsonAsync($"/api/v1/workers/{worker}/lease", """{"max":1}""")).JsonAsync();
        Assert.Equal(running, second.GetProperty("tasks")[0].GetProperty("id").GetInt64());
        await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"ns-{{tag}}","description":"secret of {{tag}}"}""")).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/v1/namespaces/ns-{tag}/events", $$$"""{"topic":"secret.{{{tag}}}","payload":{"who":"{{{tag}}}"}}""")).JsonAsync();
        await (await admin.PostJsonAsync($"/api/v1/namespaces/ns-{tag}/subscriptions", $$$"""{"name":"sub-{{{tag}}}","pattern":">","action":"consumer","start":{"kind":"all"}}""")).JsonAsync(HttpStatusCode.Created);
        var workflow = "wf-" + tag;
        await (await admin.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{workflow}}","description":"secret of {{tag}}","steps":[{"id":"wait","kind":"waitForEvent","signal":"go"}]}""")).JsonAsync(HttpStatusCode.Created);
        var run = (await (await admin.PostJsonAsync($"/api/v1/workflows/{workflow}/runs", $$"""{"input":{"who":"{{tag}}"} }""")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();
        await (await admin.PostJsonAsync($"/api/v1/apps/ns-{tag}/models/m/documents", $$$"""{"id":"{{{tag}}}","document":{"secret":"{{{tag}}}"}}""")).JsonAsync(HttpStatusCode.Created);
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/namespaces/ns-{tag}/state/{tag}") { Content = new StringContent($$$"""{"value":{"secret":"{{{tag}}}"}}""", Encoding.UTF8, "application/json") })
        {
            await (await admin.SendAsync(put)).JsonAsync();
        }
        var other = new Other(tag, queue, plugin, worker, key.GetProperty("info").GetProperty("id").GetString()!, scheduled, dead, running, workflow, run);
        // A yearly schedule (it never fires during the walk) whose tasks go to the other tenant's queue.
        var schedule = await admin.PutAsync($"/api/v1/schedules/{other.Schedule}", new StringContent(
            $$"""{"cron":"0 0 1 1 *","description":"secret of {{tag}}","target":{"task":{"plugin":"text.generate","args":{"filename":"{{tag}}.txt"},"queue":"{{queue}}"} } }""", Encoding.UTF8, "application/json"));
        await schedule.JsonAsync();
        var service = await admin.PutAsync($"/api/v1/services/{other.Service}/instances/i-{tag}", new StringContent(
            $$"""{"baseUrl":"http://127.0.0.1:9/","metadata":{"secret":"{{tag}}"} }""", Encoding.UTF8, "application/json"));
        await service.JsonAsync();
        return other;
    }

    /// <summary>What the other tenant owns, read back by the unlimited admin: every difference is a fault.</summary>
    private static async Task<List<string>> UntouchedAsync(HttpClient admin, Other o)
    {
        var faults = new List<string>();
        void Expect(bool ok, string what)
        {
            if (!ok) faults.Add("The other tenant's data changed: " + what);
        }
        async Task<JsonElement?> TaskAsync(long id)
        {
            var response = await admin.GetAsync($"/api/v1/tasks/{id}");
            return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
        }
        Expect((await TaskAsync(o.Scheduled))?.GetProperty("state").GetString() == "scheduled", $"task {o.Scheduled} is no longer scheduled");
        Expect((await TaskAsync(o.Dead))?.GetProperty("state").GetString() == "dead", $"task {o.Dead} is no longer dead");
        var running = await TaskAsync(o.Running);
        Expect(running?.GetProperty("state").GetString() == "running", $"task {o.Running} is no longer running");
        var page = await (await admin.GetAsync($"/api/v1/tasks?queue={o.Queue}&limit=100")).JsonAsync();
        Expect(page.GetProperty("items").GetArrayLength() == 3, $"queue {o.Queue} holds {page.GetProperty("items").GetArrayLength()} tasks, not 3");
        var queue = await (await admin.GetAsync($"/api/v1/queues/{o.Queue}")).JsonAsync();
        Expect(!queue.GetProperty("paused").GetBoolean() && queue.GetProperty("maxConcurrency").GetInt32() == 5 && queue.GetProperty("maxBacklog").ValueKind == JsonValueKind.Null,
            $"queue {o.Queue} settings changed: {queue}");
        var plugin = await (await admin.GetAsync($"/api/v1/plugins/{o.Plugin}")).JsonAsync();
        Expect(plugin.GetProperty("queue").GetString() == o.Queue, $"plugin {o.Plugin} moved to {plugin.GetProperty("queue")}");
        var nodes = (await (await admin.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray();
        var node = nodes.FirstOrDefault(n => n.GetProperty("id").GetString() == o.Worker);
        Expect(node.ValueKind == JsonValueKind.Object && node.GetProperty("queues")[0].GetString() == o.Queue, $"worker {o.Worker} is gone or moved");
        var keys = (await (await admin.GetAsync("/api/v1/keys")).JsonAsync()).EnumerateArray().ToList();
        Expect(keys.Single(k => k.GetProperty("id").GetString() == o.KeyId).GetProperty("revokedAt").ValueKind == JsonValueKind.Null, $"key {o.KeyId} was revoked");
        Expect(!keys.Any(k => k.GetProperty("createdBy").GetString() == "key:walker"), "the walker made a key");
        var run = await (await admin.GetAsync($"/api/v1/runs/{o.Run}")).JsonAsync();
        Expect(run.GetProperty("state").GetString() == "running" && !run.GetProperty("paused").GetBoolean() && run.GetProperty("steps")[0].GetProperty("state").GetString() == "waiting",
            $"run {o.Run} changed: {run}");
        var versions = await (await admin.GetAsync($"/api/v1/workflows/{o.Workflow}/versions")).JsonAsync();
        Expect(versions.GetProperty("items").GetArrayLength() == 1, $"workflow {o.Workflow} has {versions.GetProperty("items").GetArrayLength()} versions, not 1");
        var listed = await (await admin.GetAsync("/api/v1/workflows")).JsonAsync();
        Expect(!listed.GetProperty("items").EnumerateArray().Any(w => w.GetProperty("name").GetString()!.StartsWith("walk-", StringComparison.Ordinal)), "the walker registered a workflow");
        var state = await (await admin.GetAsync($"/api/v1/namespaces/{o.Namespace}/state/{o.Tag}")).JsonAsync();
        Expect(state.GetProperty("version").GetInt64() == 1, $"state key {o.Tag} was written: {state}");
        var doc = await (await admin.GetAsync($"/api/v1/apps/{o.Namespace}/models/m/documents/{o.Tag}")).JsonAsync();
        Expect(doc.GetProperty("version").GetInt64() == 1, $"document {o.Tag} was written: {doc}");
        Expect((await admin.GetAsync($"/api/v1/apps/{o.Namespace}/models/m/schema")).StatusCode == HttpStatusCode.NotFound, "a schema was set on the other tenant's model");
        var events = await (await admin.GetAsync($"/api/v1/namespaces/{o.Namespace}/events")).JsonAsync();
        // Its one event, and the log entries of its document and its state key (the one log, issue 12).
        Expect(events.GetProperty("events").GetArrayLength() == 3, $"namespace {o.Namespace} holds {events.GetProperty("events").GetArrayLength()} events, not 3");
        var subs = (await (await admin.GetAsync($"/api/v1/namespaces/{o.Namespace}/subscriptions")).JsonAsync()).EnumerateArray().ToList();
        Expect(subs.Count == 1 && subs[0].GetProperty("cursor").GetString() != null, $"namespace {o.Namespace} has {subs.Count} subscriptions, not 1");
        Expect((await admin.GetAsync("/api/v1/namespaces/walker-own")).StatusCode == HttpStatusCode.NotFound, "the walker made a namespace");
        var schedule = await admin.GetAsync($"/api/v1/schedules/{o.Schedule}");
        var s = schedule.StatusCode == HttpStatusCode.OK ? await schedule.JsonAsync() : (JsonElement?)null;
        Expect(s?.GetProperty("cron").GetString() == "0 0 1 1 *" && s.Value.GetProperty("paused").GetBoolean() == false
            && s.Value.GetProperty("target").GetProperty("task").GetProperty("queue").GetString() == o.Queue, $"schedule {o.Schedule} was changed or deleted: {s}");
        var instances = (await (await admin.GetAsync($"/api/v1/services/{o.Service}")).JsonAsync()).GetProperty("instances");
        Expect(instances.GetArrayLength() == 1 && instances[0].GetProperty("baseUrl").GetString() == "http://127.0.0.1:9/", $"service {o.Service} was changed or deregistered: {instances}");
        return faults;
    }
}

public sealed class SqliteTenancyWalkTests(SqliteServer server) : TenancyWalkTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresTenancyWalkTests(PostgresServer server) : TenancyWalkTests(server), IClassFixture<PostgresServer>;
