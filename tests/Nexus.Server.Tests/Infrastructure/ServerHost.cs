using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Storage;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.Server.Tests.Infrastructure;

/// <summary>Which store a test server runs on.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A real Nexus server (the same <see cref="NexusServer.Build(string[], Action{WebApplicationBuilder}?)"/> as the shipped binary) listening on a free loopback
/// port, on a fresh SQLite file or a fresh schema of the throwaway PostgreSQL. Tests talk to it over HTTP only,
/// except where they need to plant state the API cannot make (an already expired key).
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    /// <summary>The bootstrap admin key every test server accepts.</summary>
    public const string BootstrapKey = "test-bootstrap-key-0123456789abcdefghijklmnop";

    private readonly WebApplication _app;
    private readonly string _folder;

    private ServerHost(WebApplication app, Uri address, string folder, StoreKind store)
    {
        _app = app;
        Address = address;
        _folder = folder;
        Store = store;
    }

    public Uri Address { get; }
    public StoreKind Store { get; }
    public IServiceProvider Services => _app.Services;
    public INexusStore NexusStore => Services.GetRequiredService<INexusStore>();

    /// <summary>The folder the sample plugins read and write under.</summary>
    public string ArtifactsRoot => Path.Combine(_folder, "generated");

    public static Task<ServerHost> StartAsync(StoreKind store, IReadOnlyDictionary<string, string?>? settings = null) => StartAsync(store, settings, null);

    /// <summary>As <see cref="StartAsync(StoreKind, IReadOnlyDictionary{string, string?}?)"/>, with test plugins or a trace exporter.</summary>
    internal static async Task<ServerHost> StartAsync(StoreKind store, IReadOnlyDictionary<string, string?>? settings, Nexus.Server.Hosting.ServerHooks? hooks)
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Nexus:Urls"] = "http://127.0.0.1:0",
            ["Nexus:ArtifactsRoot"] = Path.Combine(folder, "generated"),
            ["Nexus:Artifacts:Path"] = Path.Combine(folder, "artifacts"),
            ["Nexus:Auth:BootstrapKey"] = BootstrapKey,
            ["Nexus:NodeId"] = "server-test",
            ["Nexus:Concurrency"] = "4",
            ["Nexus:PollInterval"] = "00:00:00.200",
            ["Nexus:ShutdownTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Nexus"] = "Warning",
        };
        if (store == StoreKind.Sqlite)
        {
            values["Nexus:Store"] = "sqlite";
            values["Nexus:Sqlite"] = $"Data Source={Path.Combine(folder, "nexus.db")}";
        }
        else
        {
            var pg = await PostgresTestServer.GetAsync();
            values["Nexus:Store"] = "postgres";
            values["Nexus:Postgres"] = pg.ConnectionString;
            values["Nexus:PostgresSchema"] = pg.NewSchema();
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;

        var app = NexusServer.Build([], b => b.Configuration.AddInMemoryCollection(values), hooks ?? new Nexus.Server.Hosting.ServerHooks());
        await app.StartAsync();
        var address = app.Urls.Single();
        return new ServerHost(app, new Uri(address), folder, store);
    }

    /// <summary>A client of this server; with <paramref name="key"/> it sends <c>Authorization: Bearer key</c>.</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A client with the bootstrap admin key.</summary>
    public HttpClient Admin() => Client(BootstrapKey);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
