using Nexus.Tasks;

namespace Nexus.Core.Tests.Tasks;

public sealed class NamesTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("emails.high-priority_2")]
    [InlineData("Q")]
    public void QueueName_AcceptsPlainNames(string name) => Assert.True(QueueName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("-leading")]
    [InlineData("a b")]
    [InlineData("x'; DROP TABLE nexus_tasks; --")]
    [InlineData("ünïcode")]
    [InlineData("a/b")]
    public void QueueName_RejectsAnythingElse_NamingTheField(string name)
    {
        Assert.False(QueueName.IsValid(name));
        var ex = Assert.Throws<TaskValidationException>(() => QueueName.Validate(name));
        Assert.Equal("queue", ex.Field);
    }

    [Fact]
    public void QueueName_RejectsNamesOver64Characters() => Assert.False(QueueName.IsValid(new string('q', 65)));

    [Fact]
    public void TaskStates_RoundTripTheirNames()
    {
        foreach (var state in TaskStates.All) Assert.Equal(state, TaskStates.Parse(state.ToName()));
        Assert.Equal(TaskState.Dead, TaskStates.Parse("DEAD"));
        Assert.Contains("available", Assert.Throws<FormatException>(() => TaskStates.Parse("done")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlySucceededDeadAndCancelledAreTerminal() =>
        Assert.Equal([TaskState.Succeeded, TaskState.Dead, TaskState.Cancelled], TaskStates.All.Where(s => s.IsTerminal()));
}
