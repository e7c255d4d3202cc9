using Nexus.Storage.Contract;
using Nexus.Storage.Sqlite;

namespace Nexus.Storage.Sqlite.Tests;

/// <summary>Each contract test gets its own database file in a temp folder.</summary>
internal static class SqliteTestStores
{
    public static Task<INexusStore> CreateAsync() =>
        Task.FromResult<INexusStore>(new SqliteStore(new SqliteStoreOptions { ConnectionString = $"Data Source={NewPath()}" }));

    public static string NewPath()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "nexus.db");
    }
}

public sealed class SqliteInsertContract : InsertContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteClaimContract : ClaimContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteCompleteContract : CompleteContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteLeaseContract : LeaseContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteAdminContract : AdminContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteEngineContract : EngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteAttemptPipelineContract : AttemptPipelineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteTransitionContract : TransitionContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteWaitingContract : WaitingContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteStateMachinePropertyContract : StateMachinePropertyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteCountsContract : CountsContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteBulkContract : BulkContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteApiKeyContract : ApiKeyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteNodeContract : NodeContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteNodeEngineContract : NodeEngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteExternalPluginContract : ExternalPluginContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteTraceContextContract : TraceContextContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteBoundsContract : BoundsContract
{
    private readonly string _path = SqliteTestStores.NewPath();

    protected override System.Threading.Tasks.Task<INexusStore> CreateStoreAsync() =>
        System.Threading.Tasks.Task.FromResult<INexusStore>(new SqliteStore(new SqliteStoreOptions { ConnectionString = $"Data Source={_path}" }));

    protected override async System.Threading.Tasks.Task WriteOutOfRangeValuesAsync(long id)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE nexus_tasks
            SET run_at = $far, finished_at = $far, lease_expires_at = $far, timeout_ms = $far,
                retry = '{"initialDelayMs":1e300,"multiplier":2,"maxDelayMs":1e300,"jitter":0.2}'
            WHERE id = $id
            """;
        command.Parameters.AddWithValue("$far", long.MaxValue);
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    protected override async System.Threading.Tasks.Task WriteMisshapenJsonAsync(long id)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """UPDATE nexus_tasks SET tags = '{"a":1}', errors = '{"b":2}', progress = '[1]', retry = '[2]' WHERE id = $id""";
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}

public sealed class SqliteUniqueKeyContract : UniqueKeyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteUnitOfWorkContract : UnitOfWorkContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteWorkflowContract : WorkflowContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteScheduleContract : ScheduleContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteServiceContract : ServiceContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqlitePoisonCompletionContract : PoisonCompletionContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteStateContract : StateContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteEventLogContract : EventLogContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteStateServiceContract : StateServiceContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteSubscriptionContract : SubscriptionContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteDocumentContract : DocumentContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteEventEngineContract : EventEngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteDeliveryOrderContract : DeliveryOrderContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteChangeLogContract : ChangeLogContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteArtifactEngineContract : ArtifactEngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteLiveContract : LiveContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}

public sealed class SqliteRunFailureContract : RunFailureContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}
