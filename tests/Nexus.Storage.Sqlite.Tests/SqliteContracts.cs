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

public sealed class SqliteUniqueKeyContract : UniqueKeyContract
{
    protected override Task<INexusStore> CreateStoreAsync() => SqliteTestStores.CreateAsync();
}
