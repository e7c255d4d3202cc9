using Nexus.Storage.Contract;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Polling mode (<see cref="PostgresStoreOptions.Listen"/> false, for a transaction-pooling proxy where LISTEN does
/// not work): the store offers no notifications, and a node still runs work that another process inserted, found by
/// polling.</summary>
public sealed class PollingModeTests : EngineHarness
{
    private string _schema = null!;
    private PostgresTestServer _server = null!;

    protected override async Task<INexusStore> CreateStoreAsync()
    {
        _server = await PostgresTestServer.GetAsync();
        _schema = _server.NewSchema();
        var store = PostgresStore.Create(_server.ConnectionString, o =>
        {
            o.Schema = _schema;
            o.Listen = false;
        });
        await store.MigrateAsync();
        return store;
    }

    [Fact]
    public async Task WithoutListen_TheStoreOffersNoNotifications_AndANodeFindsAnotherProcesssTaskByPolling()
    {
        var (_, tasks) = await StartAsync(o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        Assert.Null(LastStore!.Notifications);

        // Another "process": its own store on the same schema, so no in-process wake reaches the node.
        await using var other = PostgresStore.Create(_server.ConnectionString, o => o.Schema = _schema);
        var id = (await other.Tasks.InsertAsync(new InsertTasksParams([new NewTask
        {
            Plugin = "test.probe", ArgsJson = """{"value":"polled"}""", Queue = "default", MaxAttempts = 1,
        }])))[0].Id;

        var done = await WaitFinishedAsync(tasks, id);
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(1, Probe.Runs[id]);
    }

    [Fact]
    public void ListenIsOnByDefault()
    {
        Assert.True(new PostgresStoreOptions().Listen);
    }
}
