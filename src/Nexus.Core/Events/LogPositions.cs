using System.Globalization;
using Nexus.Storage;

namespace Nexus.Events;

/// <summary>
/// Resumes a reader from a bare position, as an emit answers it: <c>after=42</c> as well as the cursor form
/// <c>tx-position</c>. A bare position parses as <c>0-42</c>, which on SQLite is the cursor itself but on PostgreSQL
/// (whose cursors always carry the appending transaction's id) would read from the start; it is therefore looked up:
/// the event at that position in the namespace gives its full cursor. A position at or below the retention horizon is
/// left as it is (the live endpoints answer it with <i>resync needed</i>); any other position without an event is
/// refused naming the field.
/// </summary>
internal static class LogPositions
{
    /// <summary>The cursor to read after: <paramref name="after"/> itself unless it is a bare position.</summary>
    public static async Task<LogCursor> ResolveAsync(IEventStore store, string @namespace, LogCursor after, string field, CancellationToken cancellationToken)
    {
        if (after.Tx != 0 || after.Position == 0) return after;
        var at = await store.ReadRangeAsync(new ReadRangeParams(@namespace, after.Position, after.Position, 1), cancellationToken).ConfigureAwait(false);
        if (at.Count == 1) return at[0].Cursor;
        var horizon = await store.HorizonAsync(@namespace, cancellationToken).ConfigureAwait(false);
        if (after.Position <= horizon.Position) return after;
        throw new TaskValidationException(field, string.Create(CultureInfo.InvariantCulture, $"no event has position {after.Position} in namespace '{@namespace}'"));
    }
}
