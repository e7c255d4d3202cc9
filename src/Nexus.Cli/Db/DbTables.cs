namespace Nexus.Cli.Db;

/// <summary>Identifier checks of <c>nexus db</c>: a table is shown only when it is one the store lists (the name is
/// then quoted from that list, never from the command line as typed).</summary>
internal static class DbTables
{
    public static async Task<string> KnownAsync(IDbBrowser browser, string name, CancellationToken cancellationToken)
    {
        var tables = await browser.TablesAsync(cancellationToken);
        return tables.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal))?.Name
            ?? throw new CliUsageException($"There is no Nexus table '{name}'; `nexus db tables` lists them.");
    }

    /// <summary>The fixed read-only queries behind <c>nexus db metrics</c>: (title, SQL) on this store.</summary>
    public static IReadOnlyList<(string Title, string Sql)> Metrics(IDbBrowser b) =>
    [
        ("tasks by queue and state", $"SELECT queue, state, count(*) AS tasks FROM {b.Table("tasks")} GROUP BY queue, state ORDER BY queue, state"),
        ("events by namespace", $"SELECT namespace, count(*) AS events, max(position) AS head FROM {b.Table("events")} GROUP BY namespace ORDER BY namespace"),
        ("subscriptions", $"SELECT namespace, name, action, cursor_pos AS cursor FROM {b.Table("subscriptions")} ORDER BY namespace, name"),
        ("dead letters by namespace", $"SELECT namespace, count(*) AS dead_letters FROM {b.Table("event_dead_letters")} GROUP BY namespace ORDER BY namespace"),
        ("schedules", $"SELECT count(*) AS schedules, sum(CASE WHEN paused THEN 1 ELSE 0 END) AS paused FROM {b.Table("schedules")}"),
        ("service instances by health", $"SELECT name, status AS health, count(*) AS instances FROM {b.Table("services")} GROUP BY name, status ORDER BY name, status"),
        ("nodes", $"SELECT count(*) AS nodes FROM {b.Table("nodes")}"),
    ];
}
