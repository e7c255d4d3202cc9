using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Engine;
using Nexus.Plugins;
using Nexus.Storage;

namespace Nexus.Hosting;

/// <summary>The one way to add Nexus to an application.</summary>
public static class NexusServiceCollectionExtensions
{
    /// <summary>Adds the Nexus engine: plugins, the store, <see cref="INexusTasks"/> and (unless
    /// <see cref="NexusOptions.RunWorkers"/> is false) the workers as a hosted service.</summary>
    /// <example><code>
    /// services.AddNexus(n => n
    ///     .UseSqlite("Data Source=./data/nexus.db")
    ///     .AddPlugin&lt;WordCountPlugin&gt;()
    ///     .Configure(o => o.Concurrency = 8));
    /// </code></example>
    public static IServiceCollection AddNexus(this IServiceCollection services, Action<NexusBuilder> configure)
    {
        var builder = new NexusBuilder(services);
        configure(builder);
        var storeFactory = builder.StoreFactory
            ?? throw new InvalidOperationException("Nexus needs a store: call UseSqlite(...) or UsePostgres(...) inside AddNexus.");

        services.AddOptions<NexusOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var registry = new PluginRegistry();
            registry.Add(typeof(Workflows.WorkflowTimerPlugin), null, "builtin");
            registry.Add(typeof(Workflows.WorkflowStartPlugin), null, "builtin");
            foreach (var (type, options, source) in builder.Plugins) registry.Add(type, options, source);
            // DI-registered event hooks run as handler deliveries: their plugin is needed even without NexusBuilder.Subscribe.
            if (builder.Handlers.Count == 0 && sp.GetServices<Events.IEventHook>().Any()) registry.Add(typeof(Events.EventHandlerPlugin), null, "builtin");
            var folder = sp.GetRequiredService<IOptions<NexusOptions>>().Value.PluginsFolder;
            if (!string.IsNullOrWhiteSpace(folder))
            {
                var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Nexus.Plugins");
                foreach (var (type, source) in PluginFolderLoader.Load(folder, logger)) registry.Add(type, null, source);
            }
            return registry;
        });
        services.TryAddSingleton(storeFactory);
        services.AddOptions<Artifacts.ArtifactOptions>();
        services.TryAddSingleton<Artifacts.IArtifactStore>(sp => new Artifacts.LocalArtifactStore(sp.GetRequiredService<IOptions<Artifacts.ArtifactOptions>>().Value.Path));
        services.TryAddSingleton<Artifacts.ClaimCheck>();
        services.TryAddSingleton<WakeSignal>();
        services.TryAddSingleton<Observability.NexusMetrics>();
        services.TryAddSingleton<ExternalPluginCatalog>();
        services.TryAddSingleton<TaskService>();
        services.TryAddSingleton<Tasks.TaskDiagnosis>();
        services.TryAddSingleton<State.INexusState, State.StateService>();
        services.TryAddSingleton<Documents.INexusDocuments, Documents.DocumentService>();
        services.TryAddSingleton<INexusTasks>(sp => sp.GetRequiredService<TaskService>());
        services.TryAddSingleton<INexusTaskSignals>(sp => sp.GetRequiredService<TaskService>());
        services.TryAddSingleton<Attempts.AttemptPipeline>();
        services.TryAddSingleton<Attempts.INexusAttempts>(sp => sp.GetRequiredService<Attempts.AttemptPipeline>());
        services.TryAddSingleton<Observability.WorkflowMetrics>();
        services.TryAddSingleton<Workflows.WorkflowCoordinator>();
        services.TryAddSingleton<Workflows.WorkflowHook>();
        services.AddSingleton<IOwnedTaskHook>(sp => sp.GetRequiredService<Workflows.WorkflowHook>());
        services.AddSingleton<Attempts.ICompletionObserver>(sp => sp.GetRequiredService<Workflows.WorkflowHook>());
        services.TryAddSingleton<Workflows.WorkflowService>();
        services.TryAddSingleton<Workflows.INexusWorkflows>(sp => sp.GetRequiredService<Workflows.WorkflowService>());
        services.TryAddSingleton<Observability.EventMetrics>();
        services.TryAddSingleton(sp => new Events.EventHandlerRegistry([.. builder.Handlers, .. Events.EventHandlerRegistration.FromHooks(sp.GetServices<Events.IEventHook>())]));
        services.TryAddSingleton<Events.EventService>();
        services.TryAddSingleton<Events.INexusEvents>(sp => sp.GetRequiredService<Events.EventService>());
        services.TryAddSingleton<Live.LiveHub>();
        services.TryAddSingleton<Live.INexusLive>(sp => sp.GetRequiredService<Live.LiveHub>());
        services.AddSingleton<Attempts.ICompletionObserver, Events.EventDeadLetterObserver>();
        services.TryAddSingleton<Events.DeliveryOrderHook>();
        services.AddSingleton<IOwnedTaskHook>(sp => sp.GetRequiredService<Events.DeliveryOrderHook>());
        services.AddSingleton<Attempts.ICompletionObserver>(sp => sp.GetRequiredService<Events.DeliveryOrderHook>());
        services.TryAddSingleton<Observability.ScheduleMetrics>();
        services.TryAddSingleton<Scheduling.ScheduleService>();
        services.TryAddSingleton<Scheduling.INexusSchedules>(sp => sp.GetRequiredService<Scheduling.ScheduleService>());
        // The non-task schedule targets and the workflow subscription action (DI seams; an application may add its own).
        services.AddSingleton<Scheduling.IScheduleTargetHandler, Events.EventScheduleTarget>();
        services.AddSingleton<Scheduling.IScheduleTargetHandler, Workflows.WorkflowScheduleTarget>();
        services.AddSingleton<Events.ISubscriptionAction, Workflows.WorkflowSubscriptionAction>();
        services.TryAddSingleton<Observability.ServiceMetrics>();
        services.TryAddSingleton(_ => new Services.LeastLoaded(new Random()));
        services.TryAddSingleton<Services.ServiceRegistry>();
        services.TryAddSingleton<Services.INexusServices>(sp => sp.GetRequiredService<Services.ServiceRegistry>());
        services.AddHostedService<NexusEngine>();
        return services;
    }
}
