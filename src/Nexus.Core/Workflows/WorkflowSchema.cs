namespace Nexus.Workflows;

/// <summary>The published JSON Schema of the definition format (also in docs/workflow.schema.json).</summary>
public static class WorkflowSchema
{
    /// <summary>The schema's JSON text.</summary>
    public static string Json { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(WorkflowSchema).Assembly.GetManifestResourceStream("Nexus.Workflows.workflow.schema.json")
            ?? throw new InvalidOperationException("The workflow schema resource is missing from Nexus.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
