using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Server.Api;
using Nexus.Server.Hosting;

namespace Nexus.Server.Tests.Api;

/// <summary>How exceptions that the network tests cannot provoke on demand (an unreachable store, a bug) become
/// problem+json: the mapping itself, on a bare request context.</summary>
public sealed class ProblemMappingTests
{
    private static async Task<(HttpContext Context, JsonElement Problem)> HandleAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = "/api/v1/tasks";
        context.Response.Body = new MemoryStream();
        var handler = new ProblemExceptionHandler(Options.Create(new NexusServerOptions { RetryAfterSeconds = 7 }), NullLogger<ProblemExceptionHandler>.Instance);

        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));

        context.Response.Body.Position = 0;
        using var document = await JsonDocument.ParseAsync(context.Response.Body);
        return (context, document.RootElement.Clone());
    }

    [Fact]
    public async Task AnUnreachableStore_Is503_WithRetryAfter()
    {
        var (context, problem) = await HandleAsync(new StoreException("store-unreachable", "Cannot reach the Nexus PostgreSQL store at host db, port 5432."));
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("7", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("store-unavailable", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AFullQueue_Is429_NamingTheQueue()
    {
        var (context, problem) = await HandleAsync(new QueueFullException("images", 10));
        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("7", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("queue", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnUnexpectedError_Is500_WithoutItsMessage()
    {
        var (context, problem) = await HandleAsync(new InvalidOperationException("connection string Password=secret"));
        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("internal", problem.GetProperty("code").GetString());
        Assert.DoesNotContain("secret", problem.ToString(), StringComparison.Ordinal);
    }
}
