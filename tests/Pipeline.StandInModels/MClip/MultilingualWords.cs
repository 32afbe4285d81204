namespace Pipeline.StandInModels.MClip;

/// <summary>
/// The words a generated XLM-R vocabulary holds and the conformance texts are made of: what people type when they look
/// for a picture, in Korean, Chinese, Japanese, English, Spanish, French, German and Russian, with emoji.
/// </summary>
public static class MultilingualWords
{
    public static IReadOnlyList<string> English { get; } =
    [
        "Hello", "hello", "world", "How", "how", "are", "you", "doing", "You", "should", "'ve", "done", "this", "photo", "of", "a",
        "the", "The", "hedgehog", "cat", "dog", "on", "grass", "text", "page", "find", "me", "picture", "mountain", "sea",
        "red", "blue", "green", "car", "street", "sign", "in", "with", "and", "snow", "beach", "sunset", "my", "birthday",
        "cake", "New", "York", "Seoul", "Tokyo", "receipt", "menu", "coffee", "ing", "ed", "s", "er", "hedge", "hog", "pho", "to",
    ];

    public static IReadOnlyList<string> Korean { get; } =
    [
        "고슴도치", "사진", "을", "를", "이", "가", "는", "은", "에", "있다", "찾아", "줘", "풀밭", "고양이", "강아지", "바다", "산",
        "지나가요", "금지", "야생", "보호구역", "안녕하세요", "세계", "빨간", "파란", "자동차", "글자", "영수증", "생일", "케이크",
        "서울", "눈", "해변", "노을", "메뉴", "커피", "고슴", "도치", "사", "진", "찾", "아",
    ];

    public static IReadOnlyList<string> Chinese { get; } =
    [
        "你好", "世界", "刺猬", "照片", "猫", "狗", "草地", "上", "的", "文字", "汉字", "漢字", "学习", "地方", "山", "海", "红色",
        "汽车", "找", "我", "在", "一张", "图片", "生日", "蛋糕", "北京", "雪", "咖啡", "菜单", "收据",
    ];

    public static IReadOnlyList<string> Japanese { get; } =
    [
        "こんにちは", "ハリネズミ", "写真", "犬", "草", "の", "を", "が", "は", "です", "ます", "探して", "東京", "赤い", "車", "看板",
        "誕生日", "ケーキ", "コーヒー", "メニュー", "レシート", "カタカナ", "ひらがな", "ください",
    ];

    public static IReadOnlyList<string> European { get; } =
    [
        "hola", "mundo", "foto", "erizo", "gato", "perro", "niño", "bonjour", "monde", "chat", "chien", "hérisson", "café",
        "Igel", "Katze", "Hund", "Straße", "über", "Größe", "ёж", "кошка", "собака", "фото", "привет", "мир", "Ёлка",
    ];

    public static IReadOnlyList<string> Emoji { get; } =
    [
        "😀", "🦔", "🐱", "🐶", "❤", "❤️", "👍", "👍🏽", "🌸", "🍜", "🎉", "📷", "🏔", "🇰🇷", "👨‍👩‍👧",
    ];

    public static IEnumerable<string> All => English.Concat(Korean).Concat(Chinese).Concat(Japanese).Concat(European).Concat(Emoji);
}
