using Nexus.Contracts;
using Nexus.Tasks;

namespace Nexus.Server.Api.Mapping;

/// <summary>A task's diagnosis in the wire shape of <see cref="TaskWhyResponse"/>.</summary>
internal static class TaskWhyMapping
{
    public static TaskWhyResponse ToResponse(TaskWhy why) =>
        new(why.TaskId, why.State.ToName(), why.Queue, why.Plugin, [.. why.Reasons.Select(ToReason)]);

    public static WhyReasonResponse ToReason(WhyReason r) => new(r.Code, r.Message)
    {
        Until = r.Until,
        TaskIds = r.TaskIds,
        Limit = r.Limit,
        Position = r.Position,
        Steps = r.Steps,
    };
}
