using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Nexus.Artifacts;

/// <summary>
/// The lines one attempt logged through its <see cref="Plugins.TaskContext.Logger"/>, kept in memory within the
/// bounds of <see cref="ArtifactOptions"/> (lines, bytes, line length) and written to the artifact store as
/// <c>logs/attempt-&lt;n&gt;.log</c> when the attempt ends. Past a bound, lines are counted and a last line says how
/// many were dropped. Thread-safe: a plugin may log from several threads.
/// </summary>
internal sealed class AttemptLog(ArtifactOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private int _lines;
    private int _bytes;
    private int _dropped;

    /// <summary>Whether anything was logged (kept or dropped).</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock) return _lines == 0 && _dropped == 0;
        }
    }

    public void Add(LogLevel level, string message, Exception? exception)
    {
        var line = Format(level, message, exception);
        var bytes = Encoding.UTF8.GetByteCount(line);
        lock (_lock)
        {
            if (_lines >= options.MaxLogLines || _bytes + bytes > options.MaxLogBytes)
            {
                _dropped++;
                return;
            }
            _text.Append(line);
            _lines++;
            _bytes += bytes;
        }
    }

    /// <summary>The kept text, with a closing line counting what was dropped.</summary>
    public string Text()
    {
        lock (_lock)
        {
            return _dropped == 0 ? _text.ToString() : _text + string.Create(CultureInfo.InvariantCulture,
                $"… {_dropped} more line(s) dropped: an attempt keeps at most {options.MaxLogLines} lines and {options.MaxLogBytes} bytes (Nexus:Artifacts:MaxLogLines, MaxLogBytes).\n");
        }
    }

    private string Format(LogLevel level, string message, Exception? exception)
    {
        var text = exception is null ? message : message + Environment.NewLine + exception;
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimEnd('\n');
        if (text.Length > options.MaxLogLineLength) text = text[..options.MaxLogLineLength] + " … (cut)";
        // Continuation lines are indented, so every entry starts with its time.
        text = text.Replace("\n", "\n    ", StringComparison.Ordinal);
        var at = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        return $"{at} {Name(level)} {text}\n";
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}

/// <summary>The logger a plugin gets: every line goes to the host's logger as before and, from Information up (or
/// whatever the host's logger enables below it), into the attempt's <see cref="AttemptLog"/>.</summary>
internal sealed class CapturingLogger(ILogger inner, AttemptLog log) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && (logLevel >= LogLevel.Information || inner.IsEnabled(logLevel));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        log.Add(logLevel, formatter(state, exception), exception);
        if (inner.IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
