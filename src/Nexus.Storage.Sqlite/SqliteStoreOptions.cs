namespace Nexus.Storage.Sqlite;

/// <summary>Settings of the SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The connection string. Default <c>Data Source=./data/nexus.db</c>; the folder is created if missing.</summary>
    public string ConnectionString { get; set; } = "Data Source=./data/nexus.db";

    /// <summary>SQLite's <c>synchronous</c> setting: FULL (default: a commit survives power loss) or NORMAL
    /// (faster; in WAL mode the file never corrupts, but the last commits may be lost on power loss).</summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>How long a statement waits for another process's write lock before failing. Default 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
