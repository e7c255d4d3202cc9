using System.Runtime.InteropServices;

namespace Nexus.Plugins.Samples;

/// <summary>
/// Counts words in text fed in pieces of any size. The rule, shared by <c>text.wordcount</c> and
/// <c>data.mapreduce</c>: a word is a maximal run of letters, digits and apostrophes (<c>'</c> or <c>’</c>,
/// both counted as <c>'</c>); apostrophes at either end of a run are dropped, so <c>'quoted'</c> is
/// <c>quoted</c> and <c>don't</c> stays one word; a run of apostrophes alone is no word. Words are compared
/// case-insensitively by lower-casing them with the invariant culture. Letters and digits are those of
/// <see cref="char.IsLetterOrDigit(char)"/>; everything else (spaces, punctuation, hyphens, symbols) separates words.
/// </summary>
internal sealed class WordCounter
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _word = new char[64];
    private int _length;

    public WordCounter() => _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Words counted, by lower-cased word.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>All words counted, repeats included.</summary>
    public long Total { get; private set; }

    /// <summary>True for the characters words are made of.</summary>
    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '\'' or '\u2019';

    /// <summary>Counts the words of <paramref name="text"/>; a word may continue into the next call.</summary>
    public void Feed(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!IsWordChar(c))
            {
                EndWord();
                continue;
            }
            if (_length == _word.Length) Array.Resize(ref _word, _word.Length * 2);
            _word[_length++] = c == '\u2019' ? '\'' : char.ToLowerInvariant(c);
        }
    }

    /// <summary>Ends the text: counts a word still open.</summary>
    public void Finish() => EndWord();

    /// <summary>Adds another counter's counts to this one.</summary>
    public void Merge(WordCounter other)
    {
        foreach (var (word, count) in other._counts)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, word, out _);
            slot += count;
        }
        Total += other.Total;
    }

    /// <summary>The most frequent words: by count, highest first, then by word (ordinal).</summary>
    public IReadOnlyList<WordFrequency> Top(int count) =>
        [.. _counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count).Select(p => new WordFrequency(p.Key, p.Value))];

    private void EndWord()
    {
        if (_length == 0) return;
        var word = _word.AsSpan(0, _length).Trim('\'');
        _length = 0;
        if (word.IsEmpty) return;
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, word, out _);
        slot++;
        Total++;
    }
}
