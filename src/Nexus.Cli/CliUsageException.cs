namespace Nexus.Cli;

/// <summary>A mistake on the command line found after parsing (bad JSON in <c>--args</c>, a missing file, options that
/// do not go together): printed as one line, exit code <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
