using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Services;
using Nexus.Testing;

namespace Nexus.Server.Tests.Services;

/// <summary>The service registry over real HTTP against real Kestrel services on loopback that flap: HTTP checks with
/// flap damping (healthy, critical, healthy again, then deregistered after staying critical), TTL heartbeats and
/// their expiry, list filters, invoke to a healthy instance (path, query, body, no credentials forwarded), the
/// least-loaded choice, invoke hooks, timeouts (504), no healthy instance (503), and queue-limited callers refused.</summary>
public sealed class ServiceEndpointTests : IAsyncLifetime
{
    private readonly RecordingHook _hook = new();
    private ServerHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:ServiceCheckInterval"] = "00:00:00.100" },
            new ServerHooks { Nexus = n => n.Services.AddSingleton<IServiceInvokeHook>(_hook) });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string NewName() => "svc-" + Guid.NewGuid().ToString("N")[..8];

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string url, string json) =>
        client.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> RegisterHttpAsync(HttpClient client, string name, TestService s, string extra = "", string capabilities = "\"echo\"") =>
        await (await PutAsync(client, $"/api/v1/services/{name}/instances/{s.Id}",
            $$"""{"baseUrl":"{{s.BaseUrl}}","healthCheckPath":"/health","checkInterval":"100ms","passesToHealthy":2,"failuresToCritical":2,"capabilities":[{{capabilities}}]{{extra}} }""")).JsonAsync();

    private static async Task<JsonElement> InstanceAsync(HttpClient client, string name, string id) =>
        (await (await client.GetAsync($"/api/v1/services/{name}")).JsonAsync()).GetProperty("instances").EnumerateArray().SingleOrDefault(i => i.GetProperty("id").GetString() == id);

    private static Task<JsonElement> HealthAsync(HttpClient client, string name, string id, string health) =>
        Eventually.UntilAsync(() => InstanceAsync(client, name, id), i => i.ValueKind == JsonValueKind.Object && i.GetProperty("health").GetString() == health,
            because: $"{name}/{id} to be {health}", describe: i => i.ToString());

    [Fact]
    public async Task HttpChecks_FlapDamped_HealthyCriticalHealthy_ThenDeregisteredAfterStayingCritical()
    {
        using var client = _host.Admin();
        await using var s = await TestService.StartAsync("a");
        var name = NewName();

        var registered = await RegisterHttpAsync(client, name, s, ""","deregisterAfter":"1s" """);
        Assert.Equal(("starting", "http"), (registered.GetProperty("health").GetString(), registered.GetProperty("check").GetString()));
        var healthy = await HealthAsync(client, name, "a", "healthy");
        Assert.True(healthy.GetProperty("passes").GetInt32() >= 2);

        s.Healthy = false;
        var critical = await HealthAsync(client, name, "a", "critical");
        Assert.Contains("503", critical.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        s.Healthy = true;
        await HealthAsync(client, name, "a", "healthy");

        s.Healthy = false;
        await HealthAsync(client, name, "a", "critical");
        await Eventually.UntilAsync(() => InstanceAsync(client, name, "a"), i => i.ValueKind == JsonValueKind.Undefined, because: "deregistration after 1 s critical");
        Assert.True(s.HealthChecks >= 8, $"only {s.HealthChecks} checks reached the service");
    }

    [Fact]
    public async Task Ttl_HeartbeatsKeepItHealthy_AndAMissedTtlMakesItCritical()
    {
        using var client = _host.Admin();
        var name = NewName();
        var registered = await (await PutAsync(client, $"/api/v1/services/{name}/instances/t1",
            """{"baseUrl":"http://127.0.0.1:9/","ttl":"1s","passesToHealthy":1,"failuresToCritical":1,"version":"2.0","metadata":{"zone":"eu"}}""")).JsonAsync();
        Assert.Equal(("ttl", "starting"), (registered.GetProperty("check").GetString(), registered.GetProperty("health").GetString()));

        var beat = await (await client.PostAsync($"/api/v1/services/{name}/instances/t1/heartbeat", null)).JsonAsync();
        Assert.Equal("healthy", beat.GetProperty("health").GetString());
        var critical = await HealthAsync(client, name, "t1", "critical");
        Assert.Contains("no heartbeat", critical.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", (await (await client.PostAsync($"/api/v1/services/{name}/instances/t1/heartbeat", null)).JsonAsync()).GetProperty("health").GetString());

        await (await client.PostAsync($"/api/v1/services/{name}/instances/nobody/heartbeat", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/services/{name}/instances/t1")).StatusCode);
        await (await client.DeleteAsync($"/api/v1/services/{name}/instances/t1")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task List_FiltersByCapabilityAndHealth()
    {
        using var client = _host.Admin();
        await using var up = await TestService.StartAsync("up");
        await using var down = await TestService.StartAsync("down");
        down.Healthy = false;
        var name = NewName();
        await RegisterHttpAsync(client, name, up, capabilities: "\"pdf\",\"echo\"");
        await RegisterHttpAsync(client, name, down);
        await HealthAsync(client, name, "up", "healthy");
        await HealthAsync(client, name, "down", "critical");

        async Task<List<string?>> Ids(string query) =>
            (await (await client.GetAsync($"/api/v1/services?service={name}{query}")).JsonAsync()).GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();

        Assert.Equal(["down", "up"], await Ids(""));
        Assert.Equal(["up"], await Ids("&health=healthy"));
        Assert.Equal(["down"], await Ids("&health=critical"));
        Assert.Equal(["down", "up"], await Ids("&capability=echo"));
        Assert.Equal(["up"], await Ids("&capability=echo&capability=pdf"));
        await (await client.GetAsync("/api/v1/services?health=sick")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "health");
    }

    [Fact]
    public async Task Invoke_ForwardsToAHealthyInstance_WithoutTheCallersCredentials_AndRunsTheHooks()
    {
        using var client = _host.Admin();
        await using var up = await TestService.StartAsync("up");
        await using var down = await TestService.StartAsync("down");
        down.Healthy = false;
        var name = NewName();
        await RegisterHttpAsync(client, name, up);
        await RegisterHttpAsync(client, name, down);
        await HealthAsync(client, name, "up", "healthy");

        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAsync($"/api/v1/services/{name}/invoke/echo/orders/7?x=1", new StringContent("{\"n\":1}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var echo = TestService.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(("up", "POST", "/echo/orders/7", "?x=1", "{\"n\":1}", false), (echo.GetProperty("id").GetString(), echo.GetProperty("method").GetString(),
                echo.GetProperty("path").GetString(), echo.GetProperty("query").GetString(), echo.GetProperty("body").GetString(), echo.GetProperty("credentials").GetBoolean()));
            Assert.Equal("before:" + name, echo.GetProperty("hook").GetString());
        }
        await Eventually.UntilAsync(() => Task.FromResult(_hook.After.Count(a => a.Service == name)), n => n == 5, because: "the after hooks");
        Assert.All(_hook.After.Where(a => a.Service == name), a => Assert.Equal((201, "up"), (a.Status, a.Instance)));
        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Matches($"nexus_service_invokes_total\\{{[^}}]*service=\"{name}\"[^}}]*status=\"201\"[^}}]*\\}} 5", metrics);
        Assert.Contains("nexus_service_instances{", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ChoosesTheLeastLoaded_TimesOut_AndAnswers503WithoutAHealthyInstance()
    {
        using var client = _host.Admin();
        await using var a = await TestService.StartAsync("a");
        await using var b = await TestService.StartAsync("b");
        var name = NewName();
        await RegisterHttpAsync(client, name, a);
        await RegisterHttpAsync(client, name, b);
        await HealthAsync(client, name, "a", "healthy");
        await HealthAsync(client, name, "b", "healthy");

        // One invoke held open on whichever instance it reached: with two instances, power of two choices always
        // compares both, so every other invoke meanwhile goes to the one with nothing in flight.
        var held = client.GetAsync($"/api/v1/services/{name}/invoke/slow");
        var busy = await Task.WhenAny(a.SlowEntered.Task, b.SlowEntered.Task) == a.SlowEntered.Task ? a : b;
        var idle = busy == a ? b : a;
        var chosen = new List<string?>();
        for (var i = 0; i < 10; i++)
        {
            var echo = TestService.Parse(await (await client.GetAsync($"/api/v1/services/{name}/invoke/echo/x")).Content.ReadAsStringAsync());
            chosen.Add(echo.GetProperty("id").GetString());
        }
        Assert.All(chosen, id => Assert.Equal(idle.Id, id));
        var inFlight = (await InstanceAsync(client, name, busy.Id)).GetProperty("inFlight").GetInt32();
        Assert.Equal(1, inFlight);
        busy.Gate.TrySetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);

        // Only the idle instance (its gate still shut) is left: its /slow outlasts the invoke's timeout.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/services/{name}/instances/{busy.Id}")).StatusCode);
        using var timed = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/services/{name}/invoke/slow");
        timed.Headers.Add("Nexus-Invoke-Timeout", "300ms");
        var slowOne = idle;
        var timedOut = await client.SendAsync(timed);
        if (timedOut.StatusCode != HttpStatusCode.GatewayTimeout) Assert.Fail($"expected 504 from {slowOne.Id}, got {(int)timedOut.StatusCode}: {await timedOut.Content.ReadAsStringAsync()}");
        await timedOut.ProblemAsync(HttpStatusCode.GatewayTimeout, "invoke-timeout");

        using var badTimeout = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/services/{name}/invoke/echo/x");
        badTimeout.Headers.Add("Nexus-Invoke-Timeout", "forever");
        await (await client.SendAsync(badTimeout)).ProblemAsync(HttpStatusCode.BadRequest, "validation", "Nexus-Invoke-Timeout");
        await (await client.GetAsync($"/api/v1/services/{NewName()}/invoke/echo/x")).ProblemAsync(HttpStatusCode.ServiceUnavailable, "no-healthy-instance", "name");
    }

    [Fact]
    public async Task BadRegistrations_Are400_NamingTheField_AndLimitedOrViewerCallersAreRefused()
    {
        using var admin = _host.Admin();
        var name = NewName();
        await (await PutAsync(admin, $"/api/v1/services/{name}/instances/x", """{"healthCheckPath":"/h"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "baseUrl");
        await (await PutAsync(admin, $"/api/v1/services/{name}/instances/x", """{"baseUrl":"ftp://h/"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "baseUrl");
        await (await PutAsync(admin, $"/api/v1/services/{name}/instances/x", """{"baseUrl":"http://h/","check":"http"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "healthCheckPath");
        await (await PutAsync(admin, $"/api/v1/services/{name}/instances/x", """{"baseUrl":"http://h/","ttl":"soon"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "ttl");
        await (await PutAsync(admin, $"/api/v1/services/{name}/instances/x", """{"baseUrl":"http://h/","passesToHealthy":0}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "passesToHealthy");
        await (await PutAsync(admin, "/api/v1/services/bad%20name/instances/x", """{"baseUrl":"http://h/"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");

        var viewerKey = (await (await admin.PostJsonAsync("/api/v1/keys", """{"name":"svc-viewer","role":"viewer"}""")).JsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
        var limitedKey = (await (await admin.PostJsonAsync("/api/v1/keys", """{"name":"svc-limited","role":"admin","queues":["only"]}""")).JsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
        using var viewer = _host.Client(viewerKey);
        using var limited = _host.Client(limitedKey);
        await (await viewer.GetAsync("/api/v1/services")).JsonAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(viewer, $"/api/v1/services/{name}/instances/x", """{"baseUrl":"http://h/"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/api/v1/services/{name}/invoke/x")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await limited.GetAsync("/api/v1/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(limited, $"/api/v1/services/{name}/instances/x", """{"baseUrl":"http://h/"}""")).StatusCode);
    }

    private sealed class RecordingHook : IServiceInvokeHook
    {
        public ConcurrentQueue<(string Service, string Instance, int Status)> After { get; } = new();

        public Task BeforeAsync(ServiceInvocation invocation, CancellationToken cancellationToken)
        {
            invocation.RequestHeaders["X-Hook"] = "before:" + invocation.Service;
            return Task.CompletedTask;
        }

        public Task AfterAsync(ServiceInvocation invocation, ServiceInvokeResult result, CancellationToken cancellationToken)
        {
            After.Enqueue((invocation.Service, invocation.Instance.Id, result.Status));
            return Task.CompletedTask;
        }
    }
}
