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

public sealed class PostgresUniqueKeyContract : UniqueKeyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => PostgresTestStores.CreateAsync();
}
