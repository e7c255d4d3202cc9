namespace Nexus;

/// <summary>Base of every error Nexus raises on purpose. <see cref="Code"/> is stable and machine-readable.</summary>
public class NexusException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NexusException(string code, string message, Exception? inner = null) : base(message, inner) => Code = code;
    /// <summary>A stable, kebab-case code such as <c>validation</c> or <c>queue-full</c>.</summary>
    public string Code { get; }
}

/// <summary>Input that breaks a rule; <see cref="Field"/> names the field at fault (a JSON path like <c>args.width</c>).</summary>
public sealed class TaskValidationException(string field, string problem)
    : NexusException("validation", $"{field}: {problem}")
{
    /// <summary>The field at fault.</summary>
    public string Field { get; } = field;
    /// <summary>What is wrong with it.</summary>
    public string Problem { get; } = problem;
}

/// <summary>No plugin of that name is registered.</summary>
public sealed class UnknownPluginException(string plugin, IEnumerable<string> known)
    : NexusException("unknown-plugin", $"Unknown plugin '{plugin}'. Registered plugins: {FormatKnown(known)}.")
{
    /// <summary>The unknown name.</summary>
    public string Plugin { get; } = plugin;

    private static string FormatKnown(IEnumerable<string> known)
    {
        var list = known.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }
}

/// <summary>The queue's backlog is at its configured maximum; the submit was refused and nothing was stored.</summary>
public sealed class QueueFullException(string queue, long maxBacklog)
    : NexusException("queue-full", $"Queue '{queue}' is full: its backlog limit of {maxBacklog} ready or waiting tasks is reached. Retry later or raise the limit.")
{
    /// <summary>The full queue.</summary>
    public string Queue { get; } = queue;
    /// <summary>Its configured limit.</summary>
    public long MaxBacklog { get; } = maxBacklog;
}

/// <summary>The store cannot be used: unreachable, or its schema is from a newer Nexus than this one.</summary>
public sealed class StoreException(string code, string message, Exception? inner = null) : NexusException(code, message, inner);
