using GraphQL.Types;

namespace Nexus.Server.GraphQl;

/// <summary>The schema of <c>/graphql</c>: queries, mutations and subscriptions over the same Core services as REST,
/// whose answers (the REST contracts) are its output types.</summary>
internal sealed class NexusSchema : Schema
{
    public NexusSchema(IServiceProvider services) : base(services)
    {
        Query = new QueryType();
        Mutation = new MutationType();
        Subscription = new SubscriptionType();
    }
}
