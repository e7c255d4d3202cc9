namespace Nexus.Plugins.Samples;

/// <summary>The built-in words <c>text.generate</c> draws from: lower-case ASCII letters, at most 9 characters each,
/// so that a word with its full stop always fits a line of the smallest allowed width.</summary>
internal static class Vocabulary
{
    /// <summary>Longest word, in characters.</summary>
    public const int MaxWordLength = 9;

    public static IReadOnlyList<string> Words { get; } =
    [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
        "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
        "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would",
        "who", "so", "no", "she", "other", "its", "may", "these", "what", "them", "than", "some", "him", "time",
        "into", "only", "do", "could", "new", "about", "two", "any", "then", "first", "like", "over", "such", "our",
        "man", "me", "even", "most", "made", "also", "after", "did", "many", "before", "must", "through", "years",
        "where", "much", "your", "way", "well", "down", "should", "because", "each", "just", "those", "people",
        "how", "too", "little", "state", "good", "very", "make", "world", "still", "own", "see", "men", "work",
        "long", "get", "here", "between", "both", "life", "being", "under", "never", "day", "same", "another",
        "know", "while", "last", "might", "us", "great", "old", "year", "off", "come", "since", "against", "go",
        "came", "right", "used", "take", "three", "river", "queue", "task", "worker", "signal", "lantern",
        "harbor", "meadow", "copper", "pattern", "orbit", "ember", "glacier", "willow", "canyon", "thunder",
        "velvet", "marble", "falcon", "saffron", "horizon", "compass", "ladder", "garden", "silver", "morning",
        "quiet", "rapid", "gentle", "bright", "hollow", "ancient", "distant", "golden", "steady", "curious",
        "wander", "gather", "build", "listen", "follow", "answer", "carry", "whisper", "measure", "balance",
    ];
}
