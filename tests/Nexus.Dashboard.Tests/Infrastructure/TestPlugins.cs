using Nexus.Plugins;

namespace Nexus.Dashboard.Tests.Infrastructure;

/// <summary>Args of <see cref="FailPlugin"/>.</summary>
public sealed record FailArgs(string Message);

/// <summary>Fails every attempt for good with the args' message as the error (so an error message can carry markup).</summary>
[TaskPlugin(Name, Description = "Fails for good with the given message (test plugin).")]
public sealed class FailPlugin : ITaskPlugin<FailArgs, string>
{
    public const string Name = "test.fail";

    public ValueTask<string> ExecuteAsync(FailArgs args, TaskContext context) => throw new PermanentTaskException(args.Message);
}

/// <summary>Args of <see cref="OkPlugin"/>.</summary>
public sealed record OkArgs(string Echo);

/// <summary>Succeeds at once with its args' text.</summary>
[TaskPlugin(Name, Description = "Succeeds with the given text (test plugin).")]
public sealed class OkPlugin : ITaskPlugin<OkArgs, string>
{
    public const string Name = "test.ok";

    public ValueTask<string> ExecuteAsync(OkArgs args, TaskContext context) => ValueTask.FromResult(args.Echo);
}
