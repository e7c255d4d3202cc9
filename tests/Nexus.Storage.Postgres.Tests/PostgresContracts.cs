using Nexus.Storage.Contract;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Each contract test gets its own schema on the shared test server.</summary>
internal static class PostgresTestStores
{
    public static async Task<INexusStore> CreateAsync() => (await PostgresTestServer.GetAsync()).CreateStore();
}

public sealed class PostgresInsertContract : InsertContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresClaimContract : ClaimContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresCompleteContract : CompleteContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresLeaseContract : LeaseContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresAdminContract : AdminContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresEngineContract : EngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresAttemptPipelineContract : AttemptPipelineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresTransitionContract : TransitionContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresWaitingContract : WaitingContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresStateMachinePropertyContract : StateMachinePropertyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresCountsContract : CountsContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresBulkContract : BulkContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresApiKeyContract : ApiKeyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresNodeContract : NodeContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresNodeEngineContract : NodeEngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresExternalPluginContract : ExternalPluginContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresTraceContextContract : TraceContextContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresBoundsContract : BoundsContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();

    protected override async System.Threading.Tasks.Task WriteOutOfRangeValuesAsync(long id)
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = ((PostgresStore)Store).Schema;
        await using var command = server.DataSource.CreateCommand($"""
            update "{schema}".tasks
            set run_at = '20000-01-01 00:00:00+00', finished_at = '20000-01-01 00:00:00+00', lease_expires_at = 'infinity',
                timeout_ms = 9223372036854775807,
                retry = '{"{"}"initialDelayMs":1e300,"multiplier":2,"maxDelayMs":1e300,"jitter":0.2{"}"}'
            where id = $1
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    protected override async System.Threading.Tasks.Task WriteMisshapenJsonAsync(long id)
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = ((PostgresStore)Store).Schema;
        await using var command = server.DataSource.CreateCommand(
            $"""update "{schema}".tasks set tags = '{"{"}"a":1{"}"}', errors = '{"{"}"b":2{"}"}', progress = '[1]', retry = '[2]' where id = $1""");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}

public sealed class PostgresUniqueKeyContract : UniqueKeyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresUnitOfWorkContract : UnitOfWorkContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresWorkflowContract : WorkflowContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresScheduleContract : ScheduleContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresServiceContract : ServiceContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresPoisonCompletionContract : PoisonCompletionContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresStateContract : StateContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresEventLogContract : EventLogContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresStateServiceContract : StateServiceContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresSubscriptionContract : SubscriptionContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresDocumentContract : DocumentContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresEventEngineContract : EventEngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresDeliveryOrderContract : DeliveryOrderContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresChangeLogContract : ChangeLogContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresArtifactEngineContract : ArtifactEngineContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresLiveContract : LiveContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}

public sealed class PostgresRunFailureContract : RunFailureContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}
