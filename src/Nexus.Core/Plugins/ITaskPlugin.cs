namespace Nexus.Plugins;

/// <summary>
/// A task plugin: typed arguments in, a typed result out. Mark the class with
/// <see cref="TaskPluginAttribute"/> to give it a stable name, description and version,
/// and register it with <c>services.AddNexus(n =&gt; n.AddPlugin&lt;T&gt;())</c>.
/// A new instance is resolved from dependency injection (in its own scope) for every attempt.
/// </summary>
/// <typeparam name="TArgs">Arguments, deserialized from the task's JSON; their JSON schema is generated from this type.</typeparam>
/// <typeparam name="TResult">The result, stored as JSON.</typeparam>
public interface ITaskPlugin<in TArgs, TResult>
{
    /// <summary>Runs one attempt. Throw to fail it (it is retried per the retry policy);
    /// throw <see cref="PermanentTaskException"/> to fail without retrying; throw
    /// <see cref="SnoozeTaskException"/> to run again later without spending an attempt.
    /// Observe <see cref="TaskContext.CancellationToken"/>: it fires on cancellation, timeout and shutdown.</summary>
    ValueTask<TResult> ExecuteAsync(TArgs args, TaskContext context);
}

/// <summary>Describes a plugin class: its stable name and defaults.</summary>
/// <param name="name">The stable name tasks refer to, e.g. <c>text.wordcount</c>. Never rename it once tasks use it.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskPluginAttribute(string name) : Attribute
{
    /// <summary>The stable name.</summary>
    public string Name { get; } = name;
    /// <summary>What the plugin does, for people.</summary>
    public string Description { get; init; } = "";
    /// <summary>The plugin's version. Default "1.0.0".</summary>
    public string Version { get; init; } = "1.0.0";
    /// <summary>The default queue for its tasks. Default "default".</summary>
    public string Queue { get; init; } = "default";
    /// <summary>Default attempts allowed. 0 means the engine's default.</summary>
    public int MaxAttempts { get; init; }
    /// <summary>Default per-attempt time limit in seconds, at most 24 days (<see cref="Tasks.TaskBounds.MaxTimeout"/>). 0 means none.</summary>
    public int TimeoutSeconds { get; init; }
}

/// <summary>Thrown by a plugin to fail the task at once, with no further attempts (it goes to <c>dead</c>).</summary>
public sealed class PermanentTaskException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PermanentTaskException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Thrown by a plugin to run the task again after <see cref="Delay"/> without spending an attempt. A delay
/// above <see cref="Tasks.TaskBounds.MaxRetryDelay"/> (365 days) is shortened to it.</summary>
public sealed class SnoozeTaskException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SnoozeTaskException(TimeSpan delay) : base($"Snoozed for {delay}.")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Delay = delay;
    }
    /// <summary>How long to wait before the next run.</summary>
    public TimeSpan Delay { get; }
}
