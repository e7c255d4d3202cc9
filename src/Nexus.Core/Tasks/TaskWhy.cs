namespace Nexus.Tasks;

/// <summary>Why a task is not running: every reason found, in the order they must clear (see <see cref="TaskDiagnosis"/>).</summary>
/// <param name="TaskId">The task.</param>
/// <param name="State">Its state when diagnosed.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Plugin">Its plugin.</param>
/// <param name="Reasons">At least one reason.</param>
public sealed record TaskWhy(long TaskId, TaskState State, string Queue, string Plugin, IReadOnlyList<WhyReason> Reasons);
