using System.Globalization;

namespace Nexus.Events;

/// <summary>
/// A reader's place in the log: every event at or before it has been read. The log is read in the order
/// (<see cref="Tx"/>, <see cref="Position"/>): on PostgreSQL <c>Tx</c> is the appending transaction's id, and a reader
/// only reads events whose transaction is older than every transaction still running, so an event that commits late
/// is never skipped (see docs/events.md); on SQLite one writer at a time makes commit order the position order and
/// <c>Tx</c> is always 0.
/// </summary>
/// <param name="Tx">The appending transaction's id (PostgreSQL), else 0.</param>
/// <param name="Position">The event's position.</param>
public readonly record struct LogCursor(long Tx, long Position) : IComparable<LogCursor>
{
    /// <summary>Before the first event.</summary>
    public static LogCursor Start => default;

    /// <inheritdoc/>
    public int CompareTo(LogCursor other) => Tx != other.Tx ? Tx.CompareTo(other.Tx) : Position.CompareTo(other.Position);

    /// <summary>True when <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool operator >(LogCursor a, LogCursor b) => a.CompareTo(b) > 0;

    /// <summary>True when <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool operator <(LogCursor a, LogCursor b) => a.CompareTo(b) < 0;

    /// <summary>True when <paramref name="a"/> is at or after <paramref name="b"/>.</summary>
    public static bool operator >=(LogCursor a, LogCursor b) => a.CompareTo(b) >= 0;

    /// <summary>True when <paramref name="a"/> is at or before <paramref name="b"/>.</summary>
    public static bool operator <=(LogCursor a, LogCursor b) => a.CompareTo(b) <= 0;

    /// <summary>The token form, <c>tx-position</c> (e.g. <c>0-42</c>), used by the HTTP API and the CLI.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Tx}-{Position}");

    /// <summary>Parses the token form; a bare number is a position on SQLite's order (<c>Tx</c> 0).</summary>
    public static bool TryParse(string? text, out LogCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text)) return false;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bare)) return false;
            cursor = new LogCursor(0, bare);
            return true;
        }
        if (!long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var tx)) return false;
        if (!long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position)) return false;
        cursor = new LogCursor(tx, position);
        return true;
    }
}
