using Microsoft.Extensions.DependencyInjection;
using Nexus.Storage.Sqlite;

namespace Nexus.Hosting;

/// <summary>Registers the SQLite store.</summary>
public static class SqliteNexusBuilderExtensions
{
    /// <summary>Stores tasks in an SQLite file (the default for one machine). Example: <c>UseSqlite("Data Source=./data/nexus.db")</c>.</summary>
    public static NexusBuilder UseSqlite(this NexusBuilder builder, string connectionString, Action<SqliteStoreOptions>? configure = null)
    {
        var options = new SqliteStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        return builder.UseStore(sp => new SqliteStore(options, sp.GetService<TimeProvider>() ?? TimeProvider.System));
    }
}
