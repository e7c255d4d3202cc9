using Nexus.Contracts;
using Nexus.Workflows;

namespace Nexus.Server.Api.Mapping;

/// <summary>A stored workflow version in the wire shape of <see cref="WorkflowResponse"/>.</summary>
internal static class WorkflowMapping
{
    public static WorkflowResponse ToResponse(StoredWorkflow w, bool? created = null) =>
        new(w.Name, w.Version, w.Hash, w.CreatedAt, StoredJsonValue.Element(w.DefinitionJson), created);
}
