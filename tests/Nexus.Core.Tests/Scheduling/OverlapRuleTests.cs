using Nexus.Scheduling;

namespace Nexus.Core.Tests.Scheduling;

/// <summary>The overlap table: a slot's fate by policy, whether the previous fire's task is unfinished, and whether a
/// slot is already buffered.</summary>
public sealed class OverlapRuleTests
{
    [Theory]
    [InlineData(OverlapPolicy.Skip, false, false, OverlapDecision.Fire)]
    [InlineData(OverlapPolicy.Skip, true, false, OverlapDecision.Skip)]
    [InlineData(OverlapPolicy.BufferOne, false, false, OverlapDecision.Fire)]
    [InlineData(OverlapPolicy.BufferOne, true, false, OverlapDecision.Buffer)]
    [InlineData(OverlapPolicy.BufferOne, true, true, OverlapDecision.Skip)]
    [InlineData(OverlapPolicy.AllowAll, false, false, OverlapDecision.Fire)]
    [InlineData(OverlapPolicy.AllowAll, true, true, OverlapDecision.Fire)]
    [InlineData(OverlapPolicy.CancelPrevious, false, false, OverlapDecision.Fire)]
    [InlineData(OverlapPolicy.CancelPrevious, true, false, OverlapDecision.CancelPreviousAndFire)]
    public void Decide(OverlapPolicy policy, bool previousUnfinished, bool bufferTaken, OverlapDecision expected) =>
        Assert.Equal(expected, OverlapRule.Decide(policy, previousUnfinished, bufferTaken));
}
