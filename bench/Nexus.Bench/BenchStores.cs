using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Storage.Postgres;
using Nexus.Storage.Sqlite;
using Npgsql;

namespace Nexus.Bench;

/// <summary>Makes a fresh, empty database per workload and lets several hosts open it.</summary>
internal sealed class BenchStores(string kind, string? postgres)
{
    private int _counter;

    public string Kind => kind;

    /// <summary>Returns a configurator that points a Nexus builder at a new, empty database.</summary>
    public async Task<BenchDatabase> NewDatabaseAsync()
    {
        var n = Interlocked.Increment(ref _counter);
        if (kind == "sqlite")
        {
            var folder = Path.Combine(Path.GetTempPath(), "nexus-bench", $"{Environment.ProcessId}-{n}");
            Directory.CreateDirectory(folder);
            var cs = $"Data Source={Path.Combine(folder, "nexus.db")}";
            return new BenchDatabase(b => b.UseSqlite(cs), () => new SqliteStore(new SqliteStoreOptions { ConnectionString = cs }),
                () => { Directory.Delete(folder, true); return Task.CompletedTask; });
        }
        var schema = $"bench_{Environment.ProcessId}_{n}";
        var connectionString = postgres ?? throw new InvalidOperationException("Set NEXUS_BENCH_POSTGRES (./build.sh bench does) to bench PostgreSQL.");
        return new BenchDatabase(b => b.UsePostgres(connectionString, o => o.Schema = schema),
            () => PostgresStore.Create(connectionString, o => o.Schema = schema),
            async () =>
            {
                await using var ds = NpgsqlDataSource.Create(connectionString);
                await using var cmd = ds.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
                await cmd.ExecuteNonQueryAsync();
            });
    }
}

internal sealed record BenchDatabase(Action<NexusBuilder> Use, Func<INexusStore> Open, Func<Task> Drop);
