namespace Nexus.Cli.Db;

/// <summary>Rows read by <c>nexus db</c>: column names and each row's values as text (null stays null).</summary>
/// <param name="Columns">The column names.</param>
/// <param name="Rows">The rows, at most the limit asked for.</param>
/// <param name="More">True when more rows were there than returned.</param>
internal sealed record DbResult(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows, bool More);

/// <summary>One of Nexus's tables.</summary>
/// <param name="Name">Its name in the database.</param>
/// <param name="Rows">Its rows (PostgreSQL: the planner's estimate).</param>
internal sealed record DbTable(string Name, long Rows);

/// <summary><c>nexus db tables --json</c>.</summary>
internal sealed record DbTablesReport(string Store, IReadOnlyList<DbTable> Tables);
