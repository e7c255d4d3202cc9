using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Storage.Postgres;

namespace Nexus;

/// <summary>Registers the PostgreSQL store.</summary>
public static class PostgresNexusBuilderExtensions
{
    /// <summary>Stores tasks in PostgreSQL. The store is also registered as <see cref="PostgresStore"/>, for
    /// transactional submits (<see cref="PostgresTransactionalSubmit"/>).</summary>
    /// <param name="builder">The Nexus builder.</param>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=app;Username=nexus;Password=…</c>.</param>
    /// <param name="configure">Changes the store's settings (schema name and so on), or null for the defaults.</param>
    /// <example><code>
    /// services.AddNexus(n => n.UsePostgres(configuration.GetConnectionString("nexus")!, o => o.Schema = "jobs"));
    /// </code></example>
    public static NexusBuilder UsePostgres(this NexusBuilder builder, string connectionString, Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);

        // Fail at registration, not at first use, when a setting is wrong.
        var probe = new PostgresStoreOptions();
        configure?.Invoke(probe);
        probe.Validate();

        builder.UseStore(sp => PostgresStore.Create(connectionString, options =>
        {
            options.TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            configure?.Invoke(options);
        }));
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<INexusStore>() as PostgresStore
            ?? throw new InvalidOperationException("PostgresStore was requested, but the Nexus store is not the PostgreSQL one."));
        return builder;
    }
}
