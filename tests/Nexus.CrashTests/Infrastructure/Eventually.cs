namespace Nexus.CrashTests.Infrastructure;

/// <summary>The crash tests' waits, on <see cref="Nexus.Testing.Eventually"/>: a longer deadline, a poll that survives a
/// database restarting under it, and a message of what is still missing evaluated when the deadline passes.</summary>
internal static class Eventually
{
    /// <summary>Generous enough for a loaded 2-core machine where other builds run too.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; after <paramref name="timeout"/> throws with
    /// <paramref name="missing"/>(), evaluated then, so it can list exactly what is still missing.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> missing)
    {
        Exception? lastError = null;
        try
        {
            await Nexus.Testing.Eventually.UntilAsync(async () =>
            {
                try
                {
                    return await condition();
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or StoreException or IOException)
                {
                    // The database may be restarting under the test: a failed look is "not yet", not the verdict.
                    lastError = ex;
                    return false;
                }
            }, timeout, PollStep);
        }
        catch (TimeoutException)
        {
            var error = lastError is null ? "" : $" (the last check failed with {lastError.GetType().Name}: {lastError.Message})";
            throw new TimeoutException($"Still not there after {timeout.TotalSeconds:0} s{error}: {await missing()}");
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> missing) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, () => Task.FromResult(missing()));

    /// <summary>Awaits <paramref name="task"/>, or throws naming <paramref name="what"/> (evaluated then) after <paramref name="timeout"/>.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, Func<string> what)
    {
        await WithinAsync((Task)task, timeout, what);
        return await task;
    }

    public static async Task WithinAsync(Task task, TimeSpan timeout, Func<string> what)
    {
        try
        {
            await Nexus.Testing.Eventually.WithinAsync(task, timeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what()}.");
        }
    }
}
