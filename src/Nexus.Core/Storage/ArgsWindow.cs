using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>The id range one page of a search inside args looks through (<see cref="TaskQuery.ArgsScanWindow"/>), as
/// both drivers compute it: the <see cref="TaskQuery.ArgsScanWindow"/> ids below the cursor, or below the newest task.</summary>
/// <param name="Size">The window's size in ids.</param>
/// <param name="Newest">The highest task id in the store.</param>
/// <param name="Oldest">The lowest task id in the store.</param>
public readonly record struct ArgsWindow(long Size, long Newest, long Oldest)
{
    /// <summary>A window for <paramref name="query"/> (bounds still to read), or null when it searches no args.</summary>
    public static ArgsWindow? Of(TaskQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Args is null ? null : new ArgsWindow(query.ArgsScanWindow, 0, 0);
    }

    /// <summary>The lowest id this page looks at.</summary>
    public long Floor(long? beforeId) => Top(beforeId) - Size;

    /// <summary>The cursor after a page that found fewer tasks than its limit: below the window while older ids
    /// remain, else null (the end).</summary>
    public long? Next(long? beforeId) => Floor(beforeId) > Oldest ? Floor(beforeId) : null;

    /// <summary>The id this page looks below (exclusive): the cursor, or one past the newest task.</summary>
    public long Top(long? beforeId) => Math.Min(beforeId ?? long.MaxValue, Newest + 1);
}
