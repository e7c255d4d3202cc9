using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Nexus.Server.Tests.Services;

/// <summary>A real Kestrel service on a free loopback port whose health the test flips: <c>GET /health</c> answers 200
/// or 503, <c>/echo/…</c> describes the request it got (its own id, method, path, query, body, whether credentials
/// reached it, the hook's header), <c>/slow</c> holds the request until the test opens the gate.</summary>
internal sealed class TestService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile bool _healthy = true;
    private int _healthChecks;

    private TestService(WebApplication app, string id)
    {
        _app = app;
        Id = id;
    }

    public string Id { get; }
    public string BaseUrl => _app.Urls.Single() + "/";
    public int HealthChecks => Volatile.Read(ref _healthChecks);
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource SlowEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public static async Task<TestService> StartAsync(string id)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var service = new TestService(app, id);
        app.MapGet("/health", () =>
        {
            Interlocked.Increment(ref service._healthChecks);
            return service._healthy ? Results.Ok("up") : Results.StatusCode(503);
        });
        app.Map("/echo/{**rest}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            return Results.Json(new
            {
                id,
                method = http.Request.Method,
                path = http.Request.Path.Value,
                query = http.Request.QueryString.Value,
                body,
                credentials = http.Request.Headers.ContainsKey("Authorization") || http.Request.Headers.ContainsKey("X-Api-Key"),
                hook = http.Request.Headers["X-Hook"].FirstOrDefault(),
            }, statusCode: 201);
        });
        app.MapGet("/slow", async () =>
        {
            service.SlowEntered.TrySetResult();
            await service.Gate.Task;
            return Results.Ok(id);
        });
        await app.StartAsync();
        return service;
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        Gate.TrySetResult();
        await _app.DisposeAsync();
    }
}
