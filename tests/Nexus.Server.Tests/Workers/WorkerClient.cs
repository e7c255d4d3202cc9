using System.Net;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Workers;

/// <summary>A test's own external worker: a unique id, plugin names and queue, so tests sharing a server never meet.</summary>
internal sealed class WorkerClient(HttpClient http)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    public HttpClient Http { get; } = http;
    public string Id => "w-" + _tag;
    public string Queue => "ext-" + _tag;
    public string Echo => $"t{_tag}.echo";
    public string Url => $"/api/v1/workers/{Id}";

    public string Declaration(string? queue = null) => $$"""
        {"plugins":[{"name":"{{Echo}}","description":"echoes","version":"2.0.0","queue":"{{queue ?? Queue}}",
          "argsSchema":{"type":"object","required":["text"],"additionalProperties":false,
            "properties":{"text":{"type":"string","maxLength":20},"n":{"type":"integer","minimum":0} } } }],
         "concurrency":3,"host":"test-box"}
        """;

    public async Task<JsonElement> RegisterAsync(string? queue = null) =>
        await (await Http.PutAsync(Url, new StringContent(Declaration(queue), System.Text.Encoding.UTF8, "application/json"))).JsonAsync();

    public async Task<List<JsonElement>> LeaseAsync(int max = 10, int waitMs = 0) =>
        [.. (await (await Http.PostJsonAsync(Url + "/lease", $$"""{"max":{{max}},"waitMs":{{waitMs}}}""")).JsonAsync()).GetProperty("tasks").EnumerateArray()];

    public async Task<List<JsonElement>> CompleteAsync(string completionsJson) =>
        [.. (await (await Http.PostJsonAsync(Url + "/complete", $$"""{"completions":[{{completionsJson}}]}""")).JsonAsync()).GetProperty("results").EnumerateArray()];

    public static string Succeeded(JsonElement task, string result) =>
        $$"""{"id":{{task.GetProperty("id").GetInt64()}},"leaseToken":"{{task.GetProperty("leaseToken").GetString()}}","outcome":"succeeded","result":{{result}}}""";

    public static string Failed(JsonElement task, bool retryable) =>
        $$"""{"id":{{task.GetProperty("id").GetInt64()}},"leaseToken":"{{task.GetProperty("leaseToken").GetString()}}","outcome":"failed","retryable":{{(retryable ? "true" : "false")}},"error":{"type":"TypeError","message":"bad thing"} }""";

    public async Task<long> SubmitAsync(HttpClient submitter, string args = """{"text":"hi"}""", string extra = "") =>
        await submitter.SubmitAsync($$"""{"plugin":"{{Echo}}","args":{{args}}{{extra}}}""");

    public static async Task<string> CreateKeyAsync(HttpClient admin, string role, string? queue = null)
    {
        var queues = queue is null ? "" : $$""","queues":["{{queue}}"]""";
        var created = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"{{role}}-key","role":"{{role}}"{{queues}}}""")).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }
}
