namespace Nexus.Client.Tests;

/// <summary>The client's state names against the engine's own, so a state added to the engine cannot be missing from
/// the client (and from the CLI's <c>--state</c> choices, which are the client's list).</summary>
public sealed class TaskStatesTests
{
    [Fact]
    public void TheClientNamesEveryStateTheServerUses_AndNoOther()
    {
        var server = Nexus.Tasks.TaskStates.All.Select(s => Nexus.Tasks.TaskStates.ToName(s)).Order(StringComparer.Ordinal);

        Assert.Equal(server, TaskStates.All.Order(StringComparer.Ordinal));
    }
}
