using System.Threading.Channels;

namespace Nexus.Storage.Postgres.Tests.Infrastructure;

/// <summary>Waiting helpers: tests wait on signals or poll against a deadline, never on fixed sleeps.</summary>
public static class Signals
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The next item, or a <see cref="TimeoutException"/> naming <paramref name="what"/> after the deadline.</summary>
    public static async Task<T> NextAsync<T>(this ChannelReader<T> reader, string what)
    {
        try
        {
            return await reader.ReadAsync().AsTask().WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Deadline.TotalSeconds} s waiting for {what}.");
        }
    }

    /// <summary>Reads items until one satisfies <paramref name="last"/>; returns them all, that one included.</summary>
    public static async Task<List<T>> ReadUntilAsync<T>(this ChannelReader<T> reader, Func<T, bool> last, string what)
    {
        var items = new List<T>();
        while (true)
        {
            var item = await reader.NextAsync(what);
            items.Add(item);
            if (last(item)) return items;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {Deadline.TotalSeconds} s waiting for {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}
