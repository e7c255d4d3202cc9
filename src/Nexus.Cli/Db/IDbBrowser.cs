namespace Nexus.Cli.Db;

/// <summary>A read-only view of Nexus's own tables on one store. Every read runs on a connection the database itself
/// keeps from writing (SQLite: the file opened read-only with <c>query_only</c>; PostgreSQL: a <c>READ ONLY</c>
/// transaction, one statement per command), so a write in <see cref="QueryAsync"/> is refused by the database, not by
/// a check of the text.</summary>
internal interface IDbBrowser : IAsyncDisposable
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Store { get; }

    /// <summary>Nexus's tables with their row counts.</summary>
    Task<IReadOnlyList<DbTable>> TablesAsync(CancellationToken cancellationToken);

    /// <summary>One page of a table (one of <see cref="TablesAsync"/>'s names), ordered by its first column.</summary>
    Task<DbResult> PageAsync(string table, int page, int size, CancellationToken cancellationToken);

    /// <summary>Runs one read-only SQL statement, returning at most <paramref name="max"/> rows.</summary>
    Task<DbResult> QueryAsync(string sql, int max, CancellationToken cancellationToken);

    /// <summary>The name of a Nexus table on this store (<c>tasks</c> → <c>nexus_tasks</c> on SQLite).</summary>
    string Table(string shortName);
}
