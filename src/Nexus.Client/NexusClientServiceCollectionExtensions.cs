using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Nexus.Client;

/// <summary>Registers <see cref="NexusClient"/> with dependency injection.</summary>
public static class NexusClientServiceCollectionExtensions
{
    /// <summary>Registers a transient <see cref="NexusClient"/> whose <see cref="HttpClient"/> comes from
    /// <c>IHttpClientFactory</c> (named <see cref="NexusClient.HttpClientName"/>), configured by
    /// <paramref name="configure"/> and any <c>Configure&lt;NexusClientOptions&gt;</c> elsewhere.</summary>
    /// <returns>The HTTP client builder, to add handlers or resilience.</returns>
    public static IHttpClientBuilder AddNexusClient(this IServiceCollection services, Action<NexusClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<NexusClientOptions>();
        if (configure is not null) options.Configure(configure);
        services.AddTransient(sp => new NexusClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(NexusClient.HttpClientName),
            sp.GetRequiredService<IOptions<NexusClientOptions>>().Value));
        return services.AddHttpClient(NexusClient.HttpClientName);
    }
}
