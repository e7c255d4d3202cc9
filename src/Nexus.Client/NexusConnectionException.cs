namespace Nexus.Client;

/// <summary>The server could not be reached (refused connection, unknown host, TLS failure, no answer in time), or
/// it answered with something that is not the Nexus API (a non-JSON error page, an unexpected body).
/// <see cref="IsUnreachable"/> tells the two apart.</summary>
public sealed class NexusConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NexusConnectionException(string message, bool isUnreachable, Exception? innerException = null, int? statusCode = null)
        : base(message, innerException)
    {
        IsUnreachable = isUnreachable;
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception for an unreachable server.</summary>
    public NexusConnectionException() : this("The Nexus server could not be reached.", true)
    {
    }

    /// <summary>Creates the exception for an unreachable server.</summary>
    public NexusConnectionException(string message) : this(message, true)
    {
    }

    /// <summary>Creates the exception for an unreachable server.</summary>
    public NexusConnectionException(string message, Exception innerException) : this(message, true, innerException)
    {
    }

    /// <summary>True when no HTTP answer came at all; false when an answer came that is not the Nexus API.</summary>
    public bool IsUnreachable { get; }

    /// <summary>The HTTP status of an unexpected answer, or null when none came.</summary>
    public int? StatusCode { get; }
}
