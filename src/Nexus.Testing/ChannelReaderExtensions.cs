using System.Threading.Channels;

namespace Nexus.Testing;

/// <summary>Reading channels with a deadline (for observers that push what they see into a channel).</summary>
public static class ChannelReaderExtensions
{
    /// <summary>The next item, or a <see cref="TimeoutException"/> naming <paramref name="because"/> after
    /// <paramref name="timeout"/> (default <see cref="Eventually.DefaultTimeout"/>, 30 s, real time).</summary>
    public static Task<T> NextAsync<T>(this ChannelReader<T> reader, string because, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Eventually.WithinAsync(reader.ReadAsync().AsTask(), timeout, because);
    }

    /// <summary>Reads items until one satisfies <paramref name="last"/> and returns them all, that one included; each
    /// read has its own deadline as in <see cref="NextAsync{T}"/>.</summary>
    public static async Task<List<T>> ReadUntilAsync<T>(this ChannelReader<T> reader, Func<T, bool> last, string because, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(last);
        var items = new List<T>();
        while (true)
        {
            var item = await reader.NextAsync(because, timeout).ConfigureAwait(false);
            items.Add(item);
            if (last(item)) return items;
        }
    }
}
