namespace Nexus.CrashTests.Infrastructure;

/// <summary>Waiting with a deadline: poll a condition (or wait on a task) and fail with a message saying what was missing.
/// Never a fixed sleep; the poll step only paces the checks.</summary>
internal static class Eventually
{
    /// <summary>Generous enough for a loaded 2-core machine where other builds run too.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; after <paramref name="timeout"/> throws with
    /// <paramref name="missing"/>(), evaluated then, so it can list exactly what is still missing.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> missing)
    {
        var started = TimeProvider.System.GetTimestamp();
        Exception? lastError = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or StoreException or IOException)
            {
                // The database may be restarting under the test: a failed look is "not yet", not the verdict.
                lastError = ex;
            }
            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                var error = lastError is null ? "" : $" (the last check failed with {lastError.GetType().Name}: {lastError.Message})";
                throw new TimeoutException($"Still not there after {timeout.TotalSeconds:0} s{error}: {await missing()}");
            }
            await Task.Delay(PollStep);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> missing) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, () => Task.FromResult(missing()));

    /// <summary>Awaits <paramref name="task"/>, or throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, Func<string> what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what()}.");
        }
    }

    public static async Task WithinAsync(Task task, TimeSpan timeout, Func<string> what)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what()}.");
        }
    }
}
