using Microsoft.Extensions.Options;
using Nexus.Server.Hosting;
using Nexus.Workflows;

namespace Nexus.Server.Workflows;

/// <summary>Registers the demo workflows shipped with the server (examples/pipeline/pipeline.workflow.json) at start,
/// after the engine migrated the store. Registering an unchanged definition keeps its version, so restarts add none.
/// Off with <c>Nexus:Server:RegisterDemoWorkflows=false</c>.</summary>
internal sealed partial class DemoWorkflows(INexusWorkflows workflows, Storage.INexusStore store, IOptions<NexusServerOptions> options, ILogger<DemoWorkflows> logger) : IHostedService
{
    public const string PipelineResource = "Nexus.Server.Workflows.pipeline.workflow.json";

    public static string PipelineJson()
    {
        using var stream = typeof(DemoWorkflows).Assembly.GetManifestResourceStream(PipelineResource)
            ?? throw new InvalidOperationException("The pipeline demo resource is missing from Nexus.Server.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RegisterDemoWorkflows) return;
        // A node that does not migrate may start before the schema is current (readiness says so); it registers nothing.
        var health = await store.CheckHealthAsync(cancellationToken);
        if (!health.Ready)
        {
            NotReady(logger, health.Error ?? "the store is not ready");
            return;
        }
        var registered = await workflows.RegisterAsync(WorkflowJson.Parse(PipelineJson()), cancellationToken);
        if (registered.Created) Registered(logger, registered.Workflow.Name, registered.Workflow.Version);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not registering the demo workflows: {Reason}.")]
    private static partial void NotReady(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered the demo workflow {Name} as version {Version}.")]
    private static partial void Registered(ILogger logger, string name, int version);
}
