namespace Nexus.Cli;

/// <summary>What <c>nexus</c> exits with (docs/cli.md lists them for scripts).</summary>
internal static class ExitCodes
{
    /// <summary>It worked.</summary>
    public const int Success = 0;
    /// <summary>The server (or the database, for <c>migrate</c>) refused: the problem's detail is printed on stderr.</summary>
    public const int Refused = 1;
    /// <summary>The command line is wrong: unknown command or option, missing argument, bad JSON, missing file.</summary>
    public const int Usage = 2;
    /// <summary>The server could not be reached, or what answered is not a Nexus server.</summary>
    public const int Unreachable = 3;
    /// <summary><c>submit --wait</c>: the task finished but did not succeed (dead or cancelled).</summary>
    public const int TaskFailed = 4;
}
