namespace Nexus.Tasks;

/// <summary>
/// Exponential backoff with jitter: the delay before attempt n+1 is
/// <c>min(MaxDelay, InitialDelay * Multiplier^(n-1))</c>, then moved by up to ±<see cref="Jitter"/> of itself.
/// No delay is ever longer than <see cref="TaskBounds.MaxRetryDelay"/> (365 days).
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Delay after the first failed attempt, 0 to <see cref="TaskBounds.MaxRetryDelay"/>. Default 1 second.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Growth factor per attempt, at least 1. Default 2.</summary>
    public double Multiplier { get; init; } = 2;
    /// <summary>Cap on any single delay, <see cref="InitialDelay"/> to <see cref="TaskBounds.MaxRetryDelay"/>. Default 1 hour.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Fraction (0 to 1) by which a delay is randomly moved up or down. Default 0.2.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>The defaults above.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>Throws <see cref="TaskValidationException"/> naming the field when the policy is out of range.</summary>
    public void Validate(string path = "retry")
    {
        if (InitialDelay < TimeSpan.Zero) throw new TaskValidationException($"{path}.initialDelay", "must not be negative");
        var longest = TaskBounds.MaxRetryDelay;
        if (InitialDelay > longest) throw new TaskValidationException($"{path}.initialDelay", $"must be at most {TaskBounds.Describe(longest)}");
        if (MaxDelay > longest) throw new TaskValidationException($"{path}.maxDelay", $"must be at most {TaskBounds.Describe(longest)}");
        if (MaxDelay < InitialDelay) throw new TaskValidationException($"{path}.maxDelay", "must be at least initialDelay");
        if (double.IsNaN(Multiplier) || Multiplier < 1 || Multiplier > 100) throw new TaskValidationException($"{path}.multiplier", "must be between 1 and 100");
        if (double.IsNaN(Jitter) || Jitter < 0 || Jitter > 1) throw new TaskValidationException($"{path}.jitter", "must be between 0 and 1");
    }

    /// <summary>The delay to wait after failed attempt <paramref name="attempt"/> (1-based), never above
    /// <see cref="TaskBounds.MaxRetryDelay"/> even for a policy that was never validated (one read from an old row).</summary>
    /// <param name="attempt">The attempt that just failed.</param>
    /// <param name="random">Source of jitter; pass a seeded one for repeatable results.</param>
    public TimeSpan DelayAfter(int attempt, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var baseMs = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, Math.Min(attempt - 1, 1000));
        var ceiling = Math.Max(0, Math.Min(MaxDelay.TotalMilliseconds, TaskBounds.MaxRetryDelay.TotalMilliseconds));
        var capped = Math.Min(double.IsFinite(baseMs) ? baseMs : double.MaxValue, ceiling);
        var jittered = capped * (1 + (Jitter * ((random.NextDouble() * 2) - 1)));
        return TaskBounds.RetryDelayFromMilliseconds(Math.Clamp(jittered, 0, ceiling));
    }
}
