using Nexus.CrashTests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>kill -9 of a PostgreSQL worker holding leases.</summary>
public sealed class PostgresKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private CrashScene _scene = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _scene = await CrashScene.PostgresAsync(server.ConnectionString, server.ConnectionStringFor, output);
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public Task KilledWorker_HoldingLeases_LosesNothing_AndOnlyTheTasksItHeldRunAgain() =>
        KillScenario.RunAsync(_scene, taskCount: 240, taskMs: 100, survivorCount: 2, common: s => s);
}
