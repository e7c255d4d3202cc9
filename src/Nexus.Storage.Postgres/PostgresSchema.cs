using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Nexus.Storage.Postgres;

/// <summary>The schema name rule and the SQL names derived from it. The schema is the only identifier that comes
/// from configuration; it is validated against a strict pattern and always quoted. Every value is a parameter.</summary>
internal sealed partial class PostgresSchema
{
    public PostgresSchema(string name)
    {
        Validate(name);
        Name = name;
        Quoted = $"\"{name}\"";
        NotifyChannel = ChannelFor(name);
        MigrationLockKey = LockKey("nexus-migrate:" + name);
        CountFoldLockKey = LockKey("nexus-count-fold:" + name);
    }

    /// <summary>The schema name as configured.</summary>
    public string Name { get; }

    /// <summary>The schema as a quoted SQL identifier.</summary>
    public string Quoted { get; }

    /// <summary>The LISTEN/NOTIFY channel for task wake-ups of this schema.</summary>
    public string NotifyChannel { get; }

    /// <summary>The advisory lock key that serializes migrations of this schema.</summary>
    public long MigrationLockKey { get; }

    /// <summary>The advisory lock key that lets one session at a time fold the task count deltas of this schema.</summary>
    public long CountFoldLockKey { get; }

    public string Table(string table) => $"{Quoted}.{table}";

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is not a safe schema name.</summary>
    public static void Validate(string? name)
    {
        if (name is null || !Pattern().IsMatch(name))
        {
            var shown = name is null ? "(null)" : name.Length <= 80 ? name : name[..80] + "…";
            throw new ArgumentException(
                $"'{shown}' is not a valid PostgreSQL schema name for Nexus: use 1–63 lower-case letters, digits or '_', starting with a letter or '_'.",
                nameof(name));
        }
    }

    // Channel names are identifiers (at most 63 bytes). Long schema names keep a readable prefix and a hash.
    private static string ChannelFor(string schema)
    {
        var channel = "nexus_tasks_" + schema;
        if (channel.Length <= 63) return channel;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(schema)))[..12];
        return $"nexus_tasks_{schema[..38]}_{hash}";
    }

    private static long LockKey(string text) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Pattern();
}
