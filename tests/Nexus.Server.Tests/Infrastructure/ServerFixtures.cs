namespace Nexus.Server.Tests.Infrastructure;

/// <summary>One server per test class, shared by its tests; the store decides the subclass.</summary>
public abstract class ServerFixture(StoreKind store) : IAsyncLifetime
{
    private ServerHost? _host;

    public ServerHost Host => _host ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _host = await ServerHost.StartAsync(store);

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

public sealed class SqliteServer() : ServerFixture(StoreKind.Sqlite);

public sealed class PostgresServer() : ServerFixture(StoreKind.Postgres);
