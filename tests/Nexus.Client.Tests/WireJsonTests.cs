using System.Net;
using System.Text;
using System.Text.Json;

namespace Nexus.Client.Tests;

/// <summary>The bytes the client sends with the contracts, pinned: the same property names and order, and nulls left out,
/// as its own copies of the models sent before Nexus.Contracts (the server's defaults apply to what is absent).</summary>
public sealed class WireJsonTests
{
    [Fact]
    public async Task Submit_SendsOnlyTheFieldsSet_InTheContractsOrder()
    {
        var (client, wire) = Capture("""{"id":1,"created":true}""");
        var args = JsonSerializer.SerializeToElement(new { a = 1 });

        await client.Tasks.SubmitAsync(new SubmitTaskRequest("text.generate", args) { Queue = "q", Retry = new RetryRequest { Jitter = 0.1 }, Tags = ["t"] });

        Assert.Equal("POST /api/v1/tasks", wire.Request);
        Assert.Equal("""{"plugin":"text.generate","args":{"a":1},"queue":"q","retry":{"jitter":0.1},"tags":["t"]}""", wire.Body);
    }

    [Fact]
    public async Task CreateKey_SendsNameAndRoleFirst()
    {
        var (client, wire) = Capture("""{"key":"nx_a_b","info":{"id":"a","name":"ci","role":"viewer","queues":["a"],"createdAt":"2030-01-01T00:00:00+00:00","expiresAt":null,"revokedAt":null,"createdBy":"x","namespaces":[]}}""");

        var created = await client.Keys.CreateAsync(new CreateKeyRequest("ci", "viewer") { Queues = ["a"] });

        Assert.Equal("""{"name":"ci","role":"viewer","queues":["a"]}""", wire.Body);
        Assert.Equal("viewer", created.Info.Role);
    }

    [Fact]
    public async Task Complete_SendsTheFencedOutcome_WithItsError()
    {
        var (client, wire) = Capture("""{"results":[{"id":7,"accepted":true}]}""");
        var token = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        var leased = new LeasedTask(7, "p", "q", JsonSerializer.SerializeToElement(new { }), 1, 3, token, null, null);

        var results = await client.Workers.CompleteAsync("w1", [CompletionRequest.Failed(leased, new WorkerErrorRequest("boom") { Type = "X" }, retryable: false)]);

        Assert.Equal("POST /api/v1/workers/w1/complete", wire.Request);
        Assert.Equal("""{"completions":[{"id":7,"leaseToken":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","outcome":"failed","error":{"message":"boom","type":"X"},"retryable":false}]}""", wire.Body);
        Assert.True(results[0].Accepted);
    }

    [Fact]
    public async Task Emit_SendsTheEventsEnvelope()
    {
        var (client, wire) = Capture("""{"events":[{"position":5,"created":true}]}""");

        var emitted = await client.Events.EmitAsync("ns", [new EmitEventRequest("orders.created", JsonSerializer.SerializeToElement(new { id = 1 })) { Key = "o-1" }]);

        Assert.Equal("POST /api/v1/namespaces/ns/events", wire.Request);
        Assert.Equal("""{"events":[{"topic":"orders.created","payload":{"id":1},"key":"o-1"}]}""", wire.Body);
        Assert.Equal(5, emitted[0].Position);
    }

    private static (NexusClient Client, Wire Wire) Capture(string answer)
    {
        var wire = new Wire(answer);
#pragma warning disable CA2000 // the HttpClient owns the handler; the test ends with both
        var http = new HttpClient(wire);
#pragma warning restore CA2000
        return (new NexusClient(http, new NexusClientOptions { BaseAddress = new Uri("http://127.0.0.1:9/"), ApiKey = "nx_test" }), wire);
    }

    private sealed class Wire(string answer) : HttpMessageHandler
    {
        public string? Request { get; private set; }
        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = $"{request.Method} {request.RequestUri!.AbsolutePath}";
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }
}
