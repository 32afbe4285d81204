using Pipeline.Contracts;

namespace Pipeline.Sources;

/// <summary>
/// The bytes of an <c>inline</c> source: standard base64 (RFC 4648 §4, '+' and '/', padded), whitespace allowed. Data
/// that is not fails its image with <c>invalid-inline-data</c> and a message saying what is wrong with it.
/// </summary>
public static class InlineData
{
    /// <exception cref="ImageRejectedException">The text is not valid base64.</exception>
    public static byte[] Decode(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        var bytes = new byte[base64.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(base64, bytes, out var written)
            ? bytes[..written]
            : throw new ImageRejectedException(FailureReasons.InvalidInlineData, $"The inline data is not valid base64: {WhatIsWrong(base64)}");
    }

    private static string WhatIsWrong(string base64)
    {
        var letters = base64.Where(c => !char.IsWhiteSpace(c)).ToList();
        if (letters.Any(c => c is '-' or '_') && !letters.Any(c => c is '+' or '/'))
        {
            return "it uses the base64url alphabet ('-' and '_'); send standard base64 ('+' and '/', padded with '=').";
        }

        var stray = base64.Select((c, i) => (c, i)).FirstOrDefault(p => !IsBase64Letter(p.c) && p.c != '=' && !char.IsWhiteSpace(p.c));
        if (stray != default)
        {
            return $"character {Printable(stray.c)} at position {stray.i} is not a base64 character.";
        }

        var padding = letters.IndexOf('=');
        return padding >= 0 && letters.Skip(padding).Any(c => c != '=')
            ? "'=' padding stands before the end of the data."
            : $"its length ({letters.Count} characters without whitespace) is not a multiple of 4: '=' padding is missing or extra.";
    }

    private static bool IsBase64Letter(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/';

    private static string Printable(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
