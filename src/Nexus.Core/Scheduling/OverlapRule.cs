namespace Nexus.Scheduling;

/// <summary>What the overlap policy makes of one slot.</summary>
public enum OverlapDecision
{
    /// <summary>Run it.</summary>
    Fire,
    /// <summary>Record it as skipped.</summary>
    Skip,
    /// <summary>Keep it until the previous task finishes.</summary>
    Buffer,
    /// <summary>Cancel the previous task, then run it.</summary>
    CancelPreviousAndFire,
}

/// <summary>The overlap rules, written once: overlap is judged by the previous fire's task still being unfinished.</summary>
public static class OverlapRule
{
    /// <summary>Decides one slot.</summary>
    /// <param name="policy">The schedule's policy.</param>
    /// <param name="previousUnfinished">The previous fire's task exists and is not in a terminal state.</param>
    /// <param name="bufferTaken">A slot is already buffered.</param>
    public static OverlapDecision Decide(OverlapPolicy policy, bool previousUnfinished, bool bufferTaken) =>
        !previousUnfinished ? OverlapDecision.Fire : policy switch
        {
            OverlapPolicy.Skip => OverlapDecision.Skip,
            OverlapPolicy.AllowAll => OverlapDecision.Fire,
            OverlapPolicy.CancelPrevious => OverlapDecision.CancelPreviousAndFire,
            _ => bufferTaken ? OverlapDecision.Skip : OverlapDecision.Buffer,
        };
}
