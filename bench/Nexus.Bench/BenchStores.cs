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
            var file = Path.Combine(folder, "nexus.db");
            return new BenchDatabase(b => b.UseSqlite(cs), () => new SqliteStore(new SqliteStoreOptions { ConnectionString = cs }),
                () => { Directory.Delete(folder, true); return Task.CompletedTask; },
                async rows =>
                {
                    await using var conn = new Microsoft.Data.Sqlite.SqliteConnection(cs);
                    await conn.OpenAsync();
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = """
                        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
                        INSERT INTO nexus_tasks (plugin, queue, state, args, result, attempt, max_attempts, run_at, created_at, attempted_at, finished_at)
                        SELECT 'bench.noop', 'history', 'succeeded', '{"n":0}', '0', 1, 1, 0, 0, 0, 0 FROM n;
                        INSERT INTO nexus_task_counts (queue, state, n) VALUES ('history', 'succeeded', $rows)
                        ON CONFLICT (queue, state) DO UPDATE SET n = n + excluded.n;
                        ANALYZE;
                        """;
                    cmd.Parameters.AddWithValue("$rows", rows);
                    await cmd.ExecuteNonQueryAsync();
                })
            {
                Sizes = async () =>
                {
                    await using var conn = new Microsoft.Data.Sqlite.SqliteConnection(cs);
                    await conn.OpenAsync();
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = "PRAGMA freelist_count";
                    var free = Convert.ToDouble(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                    static double Mb(string path) => File.Exists(path) ? Math.Round(new FileInfo(path).Length / 1048576.0, 1) : 0;
                    return new Dictionary<string, double> { ["fileMb"] = Mb(file), ["walMb"] = Mb(file + "-wal"), ["freePages"] = free };
                },
            };
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
            },
            async rows =>
            {
                await using var ds = NpgsqlDataSource.Create(connectionString);
                await using var cmd = ds.CreateCommand(
                    $"insert into {schema}.tasks (plugin, queue, state, args, result, attempt, max_attempts, run_at, created_at, attempted_at, finished_at) " +
                    "select 'bench.noop', 'history', 'succeeded', '{\"n\":0}', '0', 1, 1, now(), now(), now(), now() from generate_series(1, $1)");
                cmd.Parameters.AddWithValue(rows);
                await cmd.ExecuteNonQueryAsync();
                await using var analyze = ds.CreateCommand($"analyze {schema}.tasks");
                await analyze.ExecuteNonQueryAsync();
            })
        {
            Schema = schema,
            Vacuum = async () =>
            {
                await using var ds = NpgsqlDataSource.Create(connectionString);
                await using var vacuum = ds.CreateCommand($"vacuum (analyze) {schema}.tasks");
                await vacuum.ExecuteNonQueryAsync();
            },
            Sizes = async () =>
            {
                await using var ds = NpgsqlDataSource.Create(connectionString);
                await using var cmd = ds.CreateCommand($"""
                    select pg_table_size('{schema}.tasks') / 1048576.0, pg_indexes_size('{schema}.tasks') / 1048576.0,
                           (select n_dead_tup from pg_stat_user_tables where schemaname = '{schema}' and relname = 'tasks'),
                           (select deadlocks from pg_stat_database where datname = current_database())
                    """);
                await using var reader = await cmd.ExecuteReaderAsync();
                await reader.ReadAsync();
                return new Dictionary<string, double>
                {
                    ["tableMb"] = Math.Round((double)reader.GetDecimal(0), 1),
                    ["indexMb"] = Math.Round((double)reader.GetDecimal(1), 1),
                    ["deadTuples"] = reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                    ["deadlocks"] = reader.GetInt64(3),
                };
            },
        };
    }
}

/// <summary>A fresh database: how to point Nexus at it, open a store on it, drop it, and seed finished history rows
/// (straight SQL, bench only: a million rows through the engine would take minutes).</summary>
internal sealed record BenchDatabase(Action<NexusBuilder> Use, Func<INexusStore> Open, Func<Task> Drop, Func<int, Task> SeedHistory)
{
    /// <summary>The database's size and health now: table and index MB, dead rows, deadlocks so far (SQLite: file and
    /// WAL MB, free pages).</summary>
    /// <summary>The PostgreSQL schema of the database (null on SQLite), for processes started on it.</summary>
    public string? Schema { get; init; }

    public Func<Task<IReadOnlyDictionary<string, double>>> Sizes { get; init; } = () => Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>());

    /// <summary>PostgreSQL: <c>VACUUM (ANALYZE)</c> of the tasks table, as autovacuum leaves a table that has been there
    /// a while (null on SQLite).</summary>
    public Func<Task>? Vacuum { get; init; }
}
