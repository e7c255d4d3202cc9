namespace Nexus.Attempts;

/// <summary>How an attempt ended, as whoever ran it reports it (a local worker or an external worker over HTTP).
/// <see cref="INexusAttempts.Decide"/> turns it into what the store records.</summary>
public enum AttemptOutcomeKind
{
    /// <summary>It returned a result.</summary>
    Succeeded,
    /// <summary>It failed; retried with backoff while attempts remain and the failure is retryable, else dead.</summary>
    Failed,
    /// <summary>It asked to run again later without spending the attempt.</summary>
    Snoozed,
    /// <summary>It stopped because cancellation was requested.</summary>
    Cancelled,
    /// <summary>It did not run to an outcome (shutdown, a lost lease, an engine fault): handed back unspent.</summary>
    Released,
}

/// <summary>How an attempt ended. Build one with the factory methods.</summary>
public sealed record AttemptOutcome
{
    private AttemptOutcome(AttemptOutcomeKind kind) => Kind = kind;

    /// <summary>How it ended.</summary>
    public AttemptOutcomeKind Kind { get; }
    /// <summary>The result JSON of a success ("null" when the plugin returned nothing).</summary>
    public string? ResultJson { get; private init; }
    /// <summary>What went wrong, for failures and cancellations.</summary>
    public AttemptFailure? Failure { get; private init; }
    /// <summary>False when retrying cannot help (the task is dead at once). Default true.</summary>
    public bool Retryable { get; private init; } = true;
    /// <summary>How long a snoozed task waits before it runs again.</summary>
    public TimeSpan SnoozeFor { get; private init; }

    /// <summary>It returned <paramref name="resultJson"/>.</summary>
    public static AttemptOutcome Succeeded(string? resultJson) => new(AttemptOutcomeKind.Succeeded) { ResultJson = resultJson ?? "null" };

    /// <summary>It failed with <paramref name="failure"/>; <paramref name="retryable"/> false makes the task dead at once.</summary>
    public static AttemptOutcome Failed(AttemptFailure failure, bool retryable = true) => new(AttemptOutcomeKind.Failed) { Failure = failure, Retryable = retryable };

    /// <summary>It asked to run again after <paramref name="delay"/>, without spending the attempt.</summary>
    public static AttemptOutcome Snoozed(TimeSpan delay) => new(AttemptOutcomeKind.Snoozed) { SnoozeFor = delay };

    /// <summary>It stopped because cancellation was requested.</summary>
    public static AttemptOutcome Cancelled(AttemptFailure failure) => new(AttemptOutcomeKind.Cancelled) { Failure = failure };

    /// <summary>It did not run to an outcome; the task goes back to its queue without spending the attempt.</summary>
    public static AttemptOutcome Released() => new(AttemptOutcomeKind.Released);
}

/// <summary>An attempt's error: its type name (never loaded as a type), message and stack trace.</summary>
/// <param name="Type">The error's type name, e.g. <c>TimeoutException</c>.</param>
/// <param name="Message">What went wrong.</param>
/// <param name="StackTrace">Where, when known.</param>
public sealed record AttemptFailure(string Type, string Message, string? StackTrace = null)
{
    /// <summary>The failure an exception describes.</summary>
    public static AttemptFailure From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new AttemptFailure(exception.GetType().Name, exception.Message, exception.StackTrace);
    }
}
